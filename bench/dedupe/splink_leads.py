"""Dedupe `steward bench leads` output with Splink 5 + DuckDB, without labels.

usage: python splink_leads.py IN.csv OUT_PREFIX

IN.csv: id,first_name,last_name,email,phone,company,title,country,city,source,created_at.
Predicts once at the sweep's lowest threshold, clusters at each threshold into
OUT_PREFIX.<t>.csv (id,cluster_id; every record, singletons as their own cluster) and prints
one JSON line with the timings.

Starts from the research note's tuned lead script (docs/research/dedupe-baselines.md): EM on
phone and email blocks, no city / country comparisons (they follow from the company),
username-level email comparison, legal suffixes stripped from company names. Changes, all
label-free:
- term-frequency adjustments on exact email and phone agreement, so a switchboard number or
  an info@ inbox many records share counts for less than a direct line or a personal address;
- German-style folding (ä→ae, ö→oe, ü→ue, ß→ss) before accents are stripped, so "Müller"
  and "Mueller" agree, and the sandbox's legal-suffix spellings (Pvt, Aktiebolag, S.à r.l.)
  are stripped too.
"""
import time

T0 = time.perf_counter()

import argparse  # noqa: E402

import duckdb  # noqa: E402
import splink.comparison_level_library as cll  # noqa: E402
import splink.comparison_library as cl  # noqa: E402
from splink import DuckDBAPI, Linker, SettingsCreator, block_on  # noqa: E402

from splink_common import THRESHOLDS, Clock, cluster_sweep, sql_quote  # noqa: E402

LEGAL = ("inc|incorporated|corp|corporation|co|company|llc|llp|ltd|ltda|limited|plc|gmbh|ag|kg|"
         "bv|nv|sa|sas|sarl|srl|spa|ab|as|asa|oy|oyj|kk|pty|pte|sl|sro|group|holding|holdings|"
         "pvt|private|aktiebolag|rl")


def fold(expr):
    """Lower case, German umlauts spelt out, then accents stripped."""
    e = f"lower({expr})"
    for a, b in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss")):
        e = f"replace({e}, '{a}', '{b}')"
    return f"strip_accents({e})"


def load(con, src, table="leads"):
    # all_varchar: otherwise DuckDB infers BIGINT for phones and drops leading zeros
    con.execute(f"""
    create table {table} as
    with raw as (select * from read_csv({sql_quote(src)}, header=true, all_varchar=true)),
    n as (
      select *,
        nullif(lower(trim(email)), '') as email0,
        nullif(regexp_replace(coalesce(phone, ''), '[^0-9]', '', 'g'), '') as phone0,
        regexp_replace(regexp_replace({fold("coalesce(company, '')")}, '[.,]', '', 'g'),
                       '[^a-z0-9]+', ' ', 'g') as company0
      from raw)
    select id, source,
      nullif(trim({fold("first_name")}), '') as first_name,
      nullif(trim({fold("last_name")}), '')  as last_name,
      -- email: drop the +tag; gmail ignores dots in the local part
      case when email0 is null then null
           when split_part(email0, '@', 2) in ('gmail.com', 'googlemail.com')
             then replace(regexp_replace(split_part(email0, '@', 1), '\\+.*$', ''), '.', '') || '@gmail.com'
           else regexp_replace(split_part(email0, '@', 1), '\\+.*$', '') || '@' || split_part(email0, '@', 2)
      end as email,
      nullif(regexp_replace(split_part(email0, '@', 1), '\\+.*$', ''), '') as email_user,
      -- phone: last 9 digits, so +46 44.., 0046 44.. and 044.. agree (no E.164 parsing)
      case when length(phone0) >= 7 then right(phone0, 9) end as phone,
      nullif(trim(regexp_replace(trim(company0), '( ({LEGAL}))+$', '')), '') as company,
      nullif(trim({fold("city")}), '')    as city,
      nullif(trim({fold("country")}), '') as country
    from n""")


SETTINGS = SettingsCreator(
    link_type="dedupe_only",
    unique_id_column_name="id",
    blocking_rules_to_generate_predictions=[
        block_on("email"),
        block_on("phone"),
        block_on("first_name", "last_name"),
        block_on("last_name", "company"),
        block_on("first_name", "company"),
        block_on("substr(first_name, 1, 1)", "substr(last_name, 1, 3)", "city"),
    ],
    comparisons=[
        cl.NameComparison("first_name").configure(term_frequency_adjustments=True),
        cl.NameComparison("last_name").configure(term_frequency_adjustments=True),
        # not cl.EmailComparison: its Jaro-Winkler level on the whole address scores
        # colleagues at one long company domain as near-matches
        cl.CustomComparison(output_column_name="email", comparison_levels=[
            cll.NullLevel("email"),
            cll.ExactMatchLevel("email", term_frequency_adjustments=True),
            cll.ExactMatchLevel("email_user"),
            cll.JaroWinklerLevel("email_user", 0.88),
            cll.ElseLevel()]),
        cl.ExactMatch("phone").configure(term_frequency_adjustments=True),
        cl.JaroWinklerAtThresholds("company", [0.95, 0.85]).configure(term_frequency_adjustments=True),
        # city and country only block: in B2B data they follow from the company
    ],
)


def train(linker, con):
    linker.training.estimate_probability_two_random_records_match(
        [block_on("email"), block_on("first_name", "last_name", "company")], recall=0.7)
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=1)
    # each EM session trains every comparison except those in its blocking rule; a rule
    # that yields no pairs (e.g. no emails at all) makes EM raise, so skip it
    for col in ["phone", "email"]:
        dupes = con.sql(f"select count({col}) - count(distinct {col}) from leads").fetchall()[0][0]
        if dupes > 0:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(col))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("input")
    ap.add_argument("out_prefix")
    args = ap.parse_args()
    clock = Clock(T0)

    con = duckdb.connect()
    load(con, args.input)
    records = con.sql("select count(*) from leads").fetchall()[0][0]
    db_api = DuckDBAPI(connection=con)
    leads = db_api.register("leads", dataset_display_name="leads")
    clock.mark("load")

    linker = Linker(leads, SETTINGS, log_level="WARNING")
    train(linker, con)
    clock.mark("train")

    low = min(THRESHOLDS)
    pred = linker.inference.predict(threshold_match_probability=low)
    pairs = pred.as_duckdbpyrelation().count("*").fetchall()[0][0]
    clock.mark("predict")
    outputs = cluster_sweep(linker, pred, "id", args.out_prefix, clock)
    clock.report(engine="splink", task="dedupe", records=records, pairs_predicted=pairs,
                 predict_threshold=low, outputs=outputs)


if __name__ == "__main__":
    main()
