"""The benchmark command: ``python -m bench`` or ``python bench/run.py``.

    python -m bench                      # the full suite (~10 min on 2 cores)
    python -m bench --quick              # small sizes, 2 counted runs (a smoke test)
    python -m bench --only mlp-train --engines chaingrad,floor
    python -m bench --profile            # cProfile of chaingrad's mlp-train step and chain

Prints markdown tables of medians and ratios, the floors (MET/MISSED), and writes every raw
trial to a JSON file (default bench/results/latest.json).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time

if __package__ in (None, ""):  # run as a file: python bench/run.py
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import engines, plan, report, runner, workloads  # noqa: E402

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "results", "latest.json")


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Benchmark chaingrad against micrograd, PyTorch "
        "and a plain-float floor; engines alternate trial by trial.",
    )
    parser.add_argument(
        "--quick", action="store_true", help="small sizes and 2 counted runs (for the smoke test)"
    )
    parser.add_argument(
        "--only",
        metavar="WORKLOAD[,...]",
        help=f"run only these workloads: {', '.join(workloads.WORKLOADS)}",
    )
    parser.add_argument(
        "--engines",
        metavar="ENGINE[,...]",
        default=",".join(engines.NAMES),
        help=f"engines to compare (default: all of {', '.join(engines.NAMES)}); "
        "ones not installed are skipped with a note",
    )
    parser.add_argument(
        "--repeats",
        type=int,
        metavar="N",
        help="counted runs per case after one warm-up (default 5; 2 with --quick)",
    )
    parser.add_argument(
        "--max-n",
        type=int,
        metavar="N",
        help="cap N of deep-chain and wide-sum (default: up to 1,000,000)",
    )
    parser.add_argument(
        "--no-limits",
        action="store_true",
        help="run every engine at every N (PyTorch op by op is otherwise "
        "stopped at 100,000 in deep-chain and wide-sum: ~15 s per run beyond)",
    )
    parser.add_argument(
        "--out",
        default=DEFAULT_OUT,
        metavar="FILE",
        help="where to write the raw numbers as JSON (default %(default)s)",
    )
    parser.add_argument(
        "--profile",
        action="store_true",
        help="instead of benchmarking, profile chaingrad's mlp-train step "
        "and deep chain with cProfile and print the top functions",
    )
    args = parser.parse_args(argv)
    args.engines = [e.strip() for e in args.engines.split(",") if e.strip()]
    for name in args.engines:
        if name not in engines.NAMES:
            parser.error(f"--engines: unknown engine {name!r}; known: {', '.join(engines.NAMES)}")
    args.only = [w.strip() for w in args.only.split(",")] if args.only else None
    for name in args.only or ():
        if name not in workloads.WORKLOADS:
            parser.error(
                f"--only: unknown workload {name!r}; known: {', '.join(workloads.WORKLOADS)}"
            )
    if args.repeats is None:
        args.repeats = 2 if args.quick else 5
    if args.repeats < 1:
        parser.error("--repeats must be at least 1")
    if args.max_n is not None and args.max_n < 2:
        parser.error("--max-n must be at least 2")
    return args


def machine() -> dict:
    cpu = "unknown"
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in out.splitlines()
            if line.startswith("Model name")
        )
    except (OSError, StopIteration, subprocess.SubprocessError):
        cpu = platform.processor() or cpu
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
    }


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.profile:
        from bench import profile_engine

        profile_engine.main(quick=args.quick)
        return 0

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.time()
    pool = runner.Pool(args.engines)
    engine_info = pool.info
    available = [n for n in args.engines if engine_info[n]["available"]]
    cases = plan.build(quick=args.quick, only=args.only, max_n=args.max_n)
    log(
        f"{len(cases)} cases × engines {', '.join(available)}; "
        f"1 warm-up + {args.repeats} counted runs each"
    )
    try:
        records = runner.run(
            cases, pool, warmup=1, repeats=args.repeats, no_limits=args.no_limits, log=log
        )
    finally:
        pool.close()
    report.add_medians(records)
    sizes = plan.QUICK if args.quick else plan.FULL
    meta = {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "command": " ".join(["python -m bench"] + (argv if argv is not None else sys.argv[1:])),
        "machine": machine(),
        "warmup": 1,
        "repeats": args.repeats,
        "quick": args.quick,
        "mlp_points": sizes.mlp_points,
        "mlp_steps": sizes.mlp_steps,
        "duration_s": None,
    }
    result = {
        "meta": meta,
        "engines": engine_info,
        "records": records,
        "loss_checks": report.loss_agreement(records),
        "floors": report.floors(
            records,
            max(plan.capped(sizes.chain, args.max_n)),
            max(plan.capped(sizes.wide, args.max_n)),
        ),
    }
    meta["duration_s"] = round(time.time() - started, 1)
    m = meta["machine"]
    print(
        f"## chaingrad benchmark — {meta['date'][:10]}, Python {m['python']}, "
        f"{m['cores']} cores, {m['cpu']}\n"
    )
    print(report.render(result))
    print(f"({meta['duration_s']:.0f} s; raw numbers in {args.out})")
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(result, f, indent=1)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
