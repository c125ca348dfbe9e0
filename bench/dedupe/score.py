"""Pairwise precision / recall / F1 of a clustering against the truth.

usage: python score.py CLUSTERS.csv TRUTH.csv [--link-source INPUT.csv]

CLUSTERS.csv: `id,cluster_id` for EVERY record (extra columns such as Steward's `score` are
ignored). TRUTH.csv: `id,entity`. With --link-source the task is a linkage: only pairs of
records from different sources count, the source of each id being the `source` column of
INPUT.csv. Prints one JSON object.

Scoring is the research note's `pairwise_prf` (docs/research/dedupe-baselines.md): predicted
pairs are counted as sum C(n,2) over clusters (cross-source: (n^2 - sum n_s^2)/2), never by
expanding clusters; TP = true pairs whose two ends share a cluster.
"""
import argparse
import csv
import itertools
import json
import sys
from collections import Counter, defaultdict


def pairwise_prf(clusters, truth, source=None):
    """clusters: (record_id, cluster_id) for EVERY record; truth: (id, id) pairs, any order;
    source: {record_id: source} for link tasks (only cross-source pairs count)."""
    cl = dict(clusters)
    truth = {tuple(sorted(p)) for p in truth}
    if source is None:
        predicted = sum(n * (n - 1) // 2 for n in Counter(cl.values()).values())
    else:
        by = defaultdict(Counter)
        for rid, cid in cl.items():
            by[cid][source[rid]] += 1
        predicted = sum((sum(c.values()) ** 2 - sum(v * v for v in c.values())) // 2 for c in by.values())
        truth = {p for p in truth if source[p[0]] != source[p[1]]}
    tp = sum(1 for a, b in truth if cl[a] == cl[b])  # KeyError = an id missing from clusters
    p = tp / predicted if predicted else 0.0
    r = tp / len(truth) if truth else 0.0
    return dict(tp=tp, fp=predicted - tp, fn=len(truth) - tp, precision=p, recall=r,
                f1=2 * p * r / (p + r) if p + r else 0.0)


def read_truth(path):
    """{id: entity} from `id,entity`."""
    with open(path, newline="", encoding="utf-8") as f:
        return {row["id"]: row["entity"] for row in csv.DictReader(f)}


def truth_pairs(entity_of):
    """The true pairs: every two records of one entity (entities are small)."""
    members = defaultdict(list)
    for rid, entity in entity_of.items():
        members[entity].append(rid)
    for ids in members.values():
        yield from itertools.combinations(ids, 2)


def read_clusters(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"id", "cluster_id"} - set(reader.fieldnames or [])
        if missing:
            raise ValueError(f"{path}: no column(s) {', '.join(sorted(missing))}")
        return [(row["id"], row["cluster_id"]) for row in reader]


def read_sources(path):
    with open(path, newline="", encoding="utf-8") as f:
        return {row["id"]: row["source"] for row in csv.DictReader(f)}


def score(clusters_csv, truth_csv, link_source_csv=None, entity_of=None, source=None):
    """Scores one clusters file; `entity_of` / `source` may be passed in to read them once."""
    entity_of = entity_of if entity_of is not None else read_truth(truth_csv)
    if link_source_csv is not None and source is None:
        source = read_sources(link_source_csv)
    clusters = read_clusters(clusters_csv)
    ids = {rid for rid, _ in clusters}
    absent = [rid for rid in entity_of if rid not in ids]
    if absent:
        raise ValueError(f"{clusters_csv}: {len(absent)} ids of the truth have no cluster "
                         f"(e.g. {absent[0]}); every record must be in the output")
    result = pairwise_prf(clusters, truth_pairs(entity_of), source)
    result["records"] = len(clusters)
    return result


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("clusters")
    ap.add_argument("truth")
    ap.add_argument("--link-source", metavar="INPUT.csv",
                    help="score a linkage: only cross-source pairs, sources from this CSV's `source` column")
    args = ap.parse_args(argv)
    print(json.dumps(score(args.clusters, args.truth, args.link_source)))


if __name__ == "__main__":
    sys.exit(main())
