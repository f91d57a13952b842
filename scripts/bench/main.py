"""Benchmark the archive against floors measured in the same run; see docs/benchmarks.md.

Run as `scripts/bench/run [--quick] [--production] [--only large,small,...] [--write-doc]`.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import bench_audit
import bench_http
import bench_log
import bench_peers
import bench_scale
import harness
import report
from harness import MiB, Results

SUITES = ("large", "small", "fetch", "audit", "log", "peers", "levers", "scale")
DEFAULT_SUITES = ("large", "small", "fetch", "audit", "log", "peers")


@dataclass(frozen=True)
class Plan:
    http: bench_http.HttpPlan
    audit_small: int
    audit_large_bytes: int
    log_big: int
    log_appends: int
    peers: int
    production: bool
    scale: bench_scale.ScalePlan


def make_plan(quick: bool, production: bool) -> Plan:
    if quick:
        http = bench_http.HttpPlan(256 * MiB, 300, 8, 5, 16, 1)
        scale = bench_scale.ScalePlan(100_000, 300, 8, 5, 16)
        return Plan(http, 2_000, 256 * MiB, 100_000, 200, 300, production, scale)
    http = bench_http.HttpPlan(1024 * MiB, 1_000, 8, 10, 16, 3, small_repeats=1)
    scale = bench_scale.ScalePlan(1_000_000, 1_000, 8, 10, 16)
    return Plan(http, 10_000, 1024 * MiB, 1_000_000, 100, 1_000, production, scale)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="scripts/bench/run", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, one run each: under two minutes")
    parser.add_argument(
        "--production",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also run `small` on PostgreSQL (+ folder, + S3); default: on for full runs, off with --quick",
    )
    parser.add_argument(
        "--only", default=",".join(DEFAULT_SUITES), help=f"comma-separated of {', '.join(SUITES)}"
    )
    parser.add_argument(
        "--write-doc",
        type=Path,
        nargs="?",
        const=harness.ROOT / "docs" / "benchmarks.md",
        default=None,
        help="write the results table into this Markdown file (default docs/benchmarks.md)",
    )
    return parser.parse_args(argv)


def suite_runners(plan: Plan) -> dict[str, Callable[[Path, Results], None]]:
    http = plan.http
    return {
        "large": lambda work, results: bench_http.run_large(work, http, results),
        "small": lambda work, results: bench_http.run_small(work, http, results, plan.production),
        "fetch": lambda work, results: bench_http.run_fetch(work, http, results),
        "audit": lambda work, results: bench_audit.run_audit(
            work, plan.audit_small, plan.audit_large_bytes, http.repeats, results
        ),
        "log": lambda work, results: bench_log.run_log(work / "log", plan.log_big, plan.log_appends, results),
        "peers": lambda work, results: bench_peers.run_peers(
            work / "peers", plan.peers, 1 if http.repeats == 1 else http.concurrency, results
        ),
        "levers": lambda work, results: bench_http.run_levers(work, http, results),
        # Not run by default: the 10^6-document archives take minutes and GBs (`--only scale`).
        "scale": lambda work, results: bench_scale.run_scale(work / "scale", plan.scale, results),
    }


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    production = args.production if args.production is not None else not args.quick
    if production and not harness.pg_available():
        print("PostgreSQL is not reachable on 127.0.0.1:5432: skipping the production runs", file=sys.stderr)
        production = False
    plan = make_plan(args.quick, production)
    chosen = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = set(chosen) - set(SUITES)
    if unknown:
        print(f"unknown suites: {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    runners = suite_runners(plan)
    results = Results()
    if os.environ.get("BENCH_NOISE_NOTE", "1") == "1":
        results.notes.append(
            "The machine is shared: other test runs may have been going on. "
            "Figures are medians where runs repeat."
        )
    started = time.perf_counter()
    work = Path(tempfile.mkdtemp(prefix="archive-bench-"))
    try:
        for name in chosen:
            suite_started = time.perf_counter()
            runners[name](work, results)
            print(f"# {name}: {time.perf_counter() - suite_started:.0f} s", flush=True)
    finally:
        harness.remove_tree(work)
    elapsed = time.perf_counter() - started
    mode = "scripts/bench/run " + " ".join(argv) if argv else "scripts/bench/run"
    print(f"# total {elapsed:.0f} s")
    if args.write_doc is not None:
        report.write_results(args.write_doc, report.results_section(results, mode, elapsed))
        print(f"# wrote {args.write_doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
