"""Shared by the Splink baselines: reading a CSV into DuckDB and clustering one prediction
at every threshold of the sweep."""
import json
import time

THRESHOLDS = (0.5, 0.9, 0.99, 0.999, 0.9999)


class Clock:
    """Stage timings for the JSON line each baseline prints."""

    def __init__(self, t0):
        self.t0 = t0
        self.last = t0
        self.stages = {}

    def mark(self, name):
        now = time.perf_counter()
        self.stages[name] = round(now - self.last, 3)
        self.last = now

    def report(self, **extra):
        out = dict(extra)
        out["stages_s"] = self.stages
        out["total_s"] = round(time.perf_counter() - self.t0, 3)
        print(json.dumps(out), flush=True)


def sql_quote(path):
    return "'" + str(path).replace("'", "''") + "'"


def cluster_sweep(linker, pred, uid, out_prefix, clock, thresholds=THRESHOLDS):
    """Clusters the one prediction at each threshold; writes OUT_PREFIX.<t>.csv (uid as `id`,
    cluster_id), every input record included (singletons are their own cluster)."""
    written = {}
    for t in thresholds:
        clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(
            pred, threshold_match_probability=t)
        path = f"{out_prefix}.{t}.csv"
        clusters.as_duckdbpyrelation().select(f"{uid} as id, cluster_id").order("id").to_csv(path)
        written[str(t)] = path
        clock.mark(f"cluster@{t}")
    return written
