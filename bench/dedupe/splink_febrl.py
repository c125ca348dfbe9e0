"""FEBRL3 (dedupe) or FEBRL4 (link) with Splink 5 + DuckDB: the research note's verified
FEBRL configuration (docs/research/dedupe-baselines.md), on febrl_export.py's CSVs.

usage: python splink_febrl.py IN.csv OUT_PREFIX [--link]

--link: IN.csv holds both files with `source` a / b; Splink runs link_only between them.
Predicts once at 0.01, clusters at each threshold of the sweep into OUT_PREFIX.<t>.csv
(id,cluster_id) and prints one JSON line with the timings. No labels are used.
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402

import duckdb  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

from splink_common import Clock, cluster_sweep, sql_quote  # noqa: E402

COLS = ["first_name", "last_name", "street_number", "address_1", "address_2", "suburb",
        "postcode", "state", "date_of_birth", "soc_sec_id"]


def settings(link):
    return SettingsCreator(
        link_type="link_only" if link else "dedupe_only",
        unique_id_column_name="id",
        blocking_rules_to_generate_predictions=[
            block_on("soc_sec_id"),
            block_on("first_name", "last_name"),
            block_on("last_name", "date_of_birth"),
            block_on("first_name", "date_of_birth"),
            block_on("postcode", "substr(last_name, 1, 2)"),
            block_on("postcode", "substr(first_name, 1, 2)"),
            block_on("date_of_birth", "state"),
        ],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("date_of_birth", input_is_string=True, datetime_format="%Y%m%d"),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.JaroWinklerAtThresholds("address_1", [0.9, 0.7]),
            cl.JaroWinklerAtThresholds("suburb", [0.9]).configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1]),
            cl.ExactMatch("state"),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
        ],
    )


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("out_prefix")
    ap.add_argument("--link", action="store_true")
    args = ap.parse_args()
    clock = Clock(T0)

    con = duckdb.connect()
    cols = ", ".join(f"nullif(trim({c}), '') as {c}" for c in COLS)
    src = "source, " if args.link else ""
    con.execute(f"create table febrl as select id, {src}{cols} "
                f"from read_csv({sql_quote(args.input)}, header=true, all_varchar=true)")
    records = con.sql("select count(*) from febrl").fetchall()[0][0]
    db_api = DuckDBAPI(connection=con)
    if args.link:
        for s in ("a", "b"):
            con.execute(f"create table febrl_{s} as select * exclude (source) from febrl where source = '{s}'")
        inputs = [db_api.register(f"febrl_{s}", dataset_display_name=f"febrl4{s}") for s in ("a", "b")]
    else:
        inputs = db_api.register("febrl", dataset_display_name="febrl3")
    clock.mark("load")

    linker = Linker(inputs, settings(args.link), log_level="WARNING")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "date_of_birth"), block_on("postcode", "date_of_birth")],
        recall=0.8)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    for rule in [block_on("date_of_birth"), block_on("postcode"), block_on("first_name", "last_name")]:
        linker.training.estimate_parameters_using_expectation_maximisation(rule)
    clock.mark("train")

    pred = linker.inference.predict(threshold_match_probability=0.01)
    pairs = pred.as_duckdbpyrelation().count("*").fetchall()[0][0]
    clock.mark("predict")
    outputs = cluster_sweep(linker, pred, "id", args.out_prefix, clock)
    clock.report(engine="splink", task="link" if args.link else "dedupe", records=records,
                 pairs_predicted=pairs, predict_threshold=0.01, outputs=outputs)


if __name__ == "__main__":
    main()
