"""The dedupe benchmark: Steward's `dedupe` against Splink 5 on FEBRL3, FEBRL4 and the
sandbox's leads, scored pairwise against the ground truth. Run it through
`scripts/bench-dedupe`, which builds Steward and the venv first.

usage: python bench/dedupe/run.py [--sizes N ...] [--seed S] [--out DIR]
                                  [--steward BIN] [--skip-splink-above N]

Prints a markdown table (data set, engine, threshold, P, R, F1, wall s, peak RSS MiB) and
writes it to DIR/results.md, with every figure in DIR/results.json. Each engine runs as its
own process under `/usr/bin/time -v`: wall time and peak RSS are the whole process's. A
Steward that is missing or fails is reported as failed; Splink still runs.
"""
import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, HERE)

import score as scoring  # noqa: E402
from splink_common import THRESHOLDS  # noqa: E402


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def timed(cmd, time_file, timeout):
    """Runs cmd under /usr/bin/time -v; returns (exit code, stdout, stderr, wall s, peak MiB)."""
    full = ["/usr/bin/time", "-v", "-o", time_file] + cmd
    try:
        proc = subprocess.run(full, capture_output=True, text=True, timeout=timeout, cwd=ROOT)
        code, out, err = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as e:
        return None, e.stdout or "", f"timed out after {timeout} s", None, None
    except OSError as e:
        return None, "", str(e), None, None
    wall = rss = None
    try:
        text = open(time_file, encoding="utf-8").read()
        m = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text)
        if m:
            parts = [float(p) for p in m.group(1).split(":")]
            wall = sum(p * 60 ** i for i, p in enumerate(reversed(parts)))
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if m:
            rss = int(m.group(1)) / 1024
    except OSError:
        pass
    return code, out, err, wall, rss


def last_json(text):
    for line in reversed((text or "").strip().splitlines()):
        try:
            return json.loads(line)
        except ValueError:
            continue
    try:
        return json.loads(text)
    except ValueError:
        return None


def tail(text, n=400):
    text = (text or "").strip()
    return text[-n:]


def generate(steward, sizes, seed, out):
    datasets = []
    for size in sizes:
        d = os.path.join(out, f"leads-{size}")
        log(f"generating {size} leads (seed {seed}) into {d}")
        proc = subprocess.run([steward, "bench", "leads", "--seed", str(seed), "--size", str(size),
                               "--out", d], capture_output=True, text=True, cwd=ROOT)
        if proc.returncode != 0:
            raise SystemExit(f"steward bench leads failed ({proc.returncode}): {tail(proc.stderr)}")
        summary = last_json(proc.stdout)
        datasets.append(dict(name=f"leads {size:,}", key=f"leads-{size}", input=os.path.join(d, "leads.csv"),
                             truth=os.path.join(d, "truth.csv"), link=False, rules=None,
                             splink=["splink_leads.py"], summary=summary, records=size))
    return datasets


def febrl(out):
    d = os.path.join(out, "febrl")
    log(f"exporting FEBRL3 / FEBRL4 into {d}")
    proc = subprocess.run([sys.executable, os.path.join(HERE, "febrl_export.py"), d],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"febrl_export.py failed: {tail(proc.stderr)}")
    rules = os.path.join(HERE, "febrl.toml")
    rules4 = os.path.join(HERE, "febrl4.toml")
    return [
        dict(name="FEBRL3", key="febrl3", input=os.path.join(d, "febrl3.csv"),
             truth=os.path.join(d, "febrl3_truth.csv"), link=False, rules=rules,
             splink=["splink_febrl.py"], records=5000),
        dict(name="FEBRL4 (link)", key="febrl4", input=os.path.join(d, "febrl4.csv"),
             truth=os.path.join(d, "febrl4_truth.csv"), link=True, rules=rules4,
             splink=["splink_febrl.py", "--link"], records=10000),
    ]


def run_steward(steward, ds, work, timeout, truth):
    out_csv = os.path.join(work, f"{ds['key']}.steward.csv")
    if os.path.exists(out_csv):
        os.remove(out_csv)
    # --truth makes Steward also report its blocking recall (the share of true pairs its
    # blocking compared); the scoring it adds is counted in its wall time and RSS.
    cmd = [steward, "dedupe", "--input", ds["input"], "--out", out_csv, "--json",
           "--truth", ds["truth"]]
    if ds["rules"]:
        cmd += ["--rules", ds["rules"]]
    log(f"steward on {ds['name']}: {' '.join(os.path.relpath(c, ROOT) if os.sep in c else c for c in cmd)}")
    code, out, err, wall, rss = timed(cmd, os.path.join(work, f"{ds['key']}.steward.time"), timeout)
    result = dict(engine="steward", command=cmd, exit=code, wall_s=wall, peak_rss_mib=rss,
                  report=last_json(out))
    if code != 0 or not os.path.exists(out_csv):
        result["error"] = f"exit {code}: {tail(err) or tail(out)}"
        log(f"  steward failed: {result['error'][:200]}")
        return result
    try:
        result["scores"] = {"default": scoring.score(out_csv, ds["truth"], **truth)}
    except (ValueError, KeyError) as e:
        result["error"] = f"scoring: {e}"
    return result


def run_splink(ds, work, timeout, truth):
    prefix = os.path.join(work, f"{ds['key']}.splink")
    script, *flags = ds["splink"]
    cmd = [sys.executable, os.path.join(HERE, script), ds["input"], prefix] + flags
    log(f"splink on {ds['name']}")
    code, out, err, wall, rss = timed(cmd, os.path.join(work, f"{ds['key']}.splink.time"), timeout)
    result = dict(engine="splink", command=cmd, exit=code, wall_s=wall, peak_rss_mib=rss,
                  report=last_json(out))
    if code != 0:
        result["error"] = f"exit {code}: {tail(err)}"
        log(f"  splink failed: {result['error'][:200]}")
        return result
    result["scores"] = {}
    for t in THRESHOLDS:
        try:
            result["scores"][str(t)] = scoring.score(f"{prefix}.{t}.csv", ds["truth"], **truth)
        except (OSError, ValueError, KeyError) as e:
            result["error"] = f"scoring {t}: {e}"
    return result


def fmt(x, spec):
    return "" if x is None else format(x, spec)


def table(datasets):
    lines = ["| data set | engine | threshold | P | R | F1 | wall s | peak RSS MiB | pairs compared | blocking recall |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for ds in datasets:
        for res in ds["results"]:
            wall, rss = fmt(res.get("wall_s"), ".1f"), fmt(res.get("peak_rss_mib"), ".0f")
            report = res.get("report") or {}
            pairs = fmt(report.get("pairs_compared"), ",")
            blocking = fmt((report.get("truth") or {}).get("blocking_recall"), ".4f")
            scores = res.get("scores") or {}
            if not scores:
                lines.append(f"| {ds['name']} | {res['engine']} | — | failed | | | {wall} | {rss} | | |")
                continue
            best = max(scores, key=lambda t: scores[t]["f1"]) if len(scores) > 1 else None
            for t, s in scores.items():
                label = f"**{t}** (best)" if t == best else t
                f1 = f"**{s['f1']:.4f}**" if t == best else f"{s['f1']:.4f}"
                lines.append(f"| {ds['name']} | {res['engine']} | {label} | {s['precision']:.4f} | "
                             f"{s['recall']:.4f} | {f1} | {wall} | {rss} | {pairs} | {blocking} |")
    return "\n".join(lines)


def failures(datasets):
    out = []
    for ds in datasets:
        for res in ds["results"]:
            if res.get("error"):
                reason = " ".join(res["error"].split())[:300]
                out.append(f"- {ds['name']}, {res['engine']}: {reason}")
    return "\n".join(["Failed runs:", ""] + out + [""]) if out else ""


def describe(datasets):
    lines = ["| data set | task | records | true pairs scored |", "| --- | --- | --- | --- |"]
    for ds in datasets:
        lines.append(f"| {ds['name']} | {'link (cross-source pairs)' if ds['link'] else 'dedupe'} | "
                     f"{ds['records']:,} | {ds.get('true_pairs', 0):,} |")
    return "\n".join(lines)


def main():
    ap = argparse.ArgumentParser(description="Steward vs Splink dedupe benchmark")
    ap.add_argument("--sizes", type=int, nargs="*", default=[100_000, 1_000_000])
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench-dedupe"))
    ap.add_argument("--steward", default=os.path.join(ROOT, "target", "release", "steward"))
    ap.add_argument("--skip-splink-above", type=int, default=None, metavar="N",
                    help="don't run Splink on data sets of more than N records")
    ap.add_argument("--engines", default="steward,splink")
    ap.add_argument("--timeout", type=int, default=3600, help="seconds per engine run")
    args = ap.parse_args()
    engines = set(args.engines.split(","))
    os.makedirs(args.out, exist_ok=True)
    work = os.path.join(args.out, "runs")
    os.makedirs(work, exist_ok=True)

    datasets = febrl(args.out) + generate(args.steward, args.sizes, args.seed, args.out)
    for ds in datasets:
        entity_of = scoring.read_truth(ds["truth"])
        source = scoring.read_sources(ds["input"]) if ds["link"] else None
        truth = dict(entity_of=entity_of, source=source)
        pairs = list(scoring.truth_pairs(entity_of))
        ds["true_pairs"] = sum(1 for a, b in pairs if source is None or source[a] != source[b])
        ds["results"] = []
        if "steward" in engines:
            ds["results"].append(run_steward(args.steward, ds, work, args.timeout, truth))
        if "splink" in engines:
            if args.skip_splink_above is not None and ds["records"] > args.skip_splink_above:
                log(f"splink skipped on {ds['name']} (--skip-splink-above)")
            else:
                ds["results"].append(run_splink(ds, work, args.timeout, truth))

    md = "\n".join([
        "# Dedupe benchmark: Steward vs Splink 5",
        "",
        f"Run {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')} on {platform.node()} "
        f"({os.cpu_count()} cores, Python {platform.python_version()}); seed {args.seed}. "
        "Pairwise precision / recall / F1 from clusters (bench/dedupe/score.py). Splink predicts "
        "once and is clustered at each threshold (its wall time and RSS are of the whole run); "
        "Steward runs at its default threshold. Wall and peak RSS are the process's, from "
        "`/usr/bin/time -v`.",
        "",
        describe(datasets),
        "",
        table(datasets),
        "",
        failures(datasets),
    ])
    with open(os.path.join(args.out, "results.md"), "w", encoding="utf-8") as f:
        f.write(md)
    with open(os.path.join(args.out, "results.json"), "w", encoding="utf-8") as f:
        json.dump([{k: v for k, v in ds.items()} for ds in datasets], f, indent=1, default=str)
    print(md)


if __name__ == "__main__":
    main()
