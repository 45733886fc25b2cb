"""cProfile of chaingrad's hot paths, for work on the engine's speed.

    python -m bench.profile_engine [--quick] [--top N]    (or: python -m bench --profile)

Profiles one mlp-train step (relu, 100 points, after a warm-up step) and a deep chain
(mul-add, N = 10⁵: build and backward), with the collector on as users run them, and prints
the top functions by internal time. cProfile adds a roughly constant cost per call, so it
overstates small functions: use it to see *where* the time goes, and the benchmark for how much.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys

if __package__ in (None, ""):  # run as a file
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench import workloads  # noqa: E402
from bench.engines import get  # noqa: E402


def profile(title: str, function, top: int) -> None:
    profiler = cProfile.Profile()
    profiler.enable()
    function()
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    print(f"=== {title} ===")
    # pstats prints a preamble of blank and summary lines before its table: keep from the
    # summary ("N function calls ... in T seconds") on.
    text = out.getvalue()
    start = text.rfind("\n", 0, max(text.find("function calls"), 0)) + 1
    print(text[start:].rstrip())
    print()


def main(quick: bool = False, top: int = 15) -> None:
    engine = get("chaingrad")
    print(f"chaingrad: {engine.load()}\n")
    points, n = (20, 10**4) if quick else (100, 10**5)
    step = engine.mlp_trainer(workloads.mlp_spec("relu", points))
    step()  # warm-up
    profile(f"mlp-train: one step, relu, {points} points", step, top)
    profile(
        f"deep-chain: mul-add, N={n:,}, build + backward",
        lambda: engine.backward(engine.chain(workloads.CHAIN_X0, n, "mul-add")[1]),
        top,
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        prog="python -m bench.profile_engine", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--quick", action="store_true", help="smaller problems")
    parser.add_argument("--top", type=int, default=15, help="functions to list (default 15)")
    args = parser.parse_args()
    main(quick=args.quick, top=args.top)
