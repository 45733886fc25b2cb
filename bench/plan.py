"""Which cases a run measures: workload × size × variant × collector setting.

The default ("full") plan takes roughly ten minutes on a 2-core machine; ``--quick`` is the
same plan with small sizes and few runs, for the smoke test.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class Case:
    workload: str  # the trial to run (see workloads.TRIALS)
    params: dict
    fresh_process: bool = False  # one measurement in a new worker (memory); no repeats
    label: str = field(default="", compare=False)


@dataclass
class Sizes:
    mlp_points: int
    mlp_steps: int  # steps per trial; ms/step is their mean
    chain: Sequence[int]
    wide: Sequence[int]
    per_op: int


FULL = Sizes(
    mlp_points=100,
    mlp_steps=5,
    chain=(10**4, 10**5, 10**6),
    wide=(10**4, 10**5, 10**6),
    per_op=5 * 10**4,
)
# tracemalloc counts each object's bytes exactly (so N hardly matters) but slows allocation
# several times: it measures at this N at most.
TRACEMALLOC_MAX_N = 10**5
QUICK = Sizes(mlp_points=20, mlp_steps=2, chain=(1000,), wide=(1000,), per_op=2000)


def capped(sizes: Sequence[int], max_n: int | None) -> list[int]:
    if max_n is None:
        return list(sizes)
    return sorted({min(n, max_n) for n in sizes})


def build(
    quick: bool = False, only: Sequence[str] | None = None, max_n: int | None = None
) -> list[Case]:
    s = QUICK if quick else FULL
    chain, wide = capped(s.chain, max_n), capped(s.wide, max_n)
    cases: list[Case] = []
    wanted = set(only) if only else None

    def add(workload: str, params: dict, **kw) -> None:
        group = "wide-sum" if workload == "wide-sum-memory" else workload
        if wanted is None or group in wanted:
            cases.append(Case(workload, params, **kw))

    for activation in ("relu", "tanh"):
        add(
            "mlp-train",
            {"activation": activation, "points": s.mlp_points, "steps": s.mlp_steps, "gc": True},
        )
    for variant in ("mul-add", "tanh"):
        for n in chain:
            for gc_on in (True, False):
                add("deep-chain", {"variant": variant, "n": n, "gc": gc_on})
    for variant in ("loop", "vsum"):
        for n in wide:
            add("wide-sum", {"variant": variant, "n": n, "gc": True})
    for variant in ("loop", "vsum"):
        for mode in ("rss", "tracemalloc"):
            # A fresh process per figure, except with --quick (where only the
            # structure matters, and starting PyTorch takes seconds).
            n = min(wide[-1], TRACEMALLOC_MAX_N) if mode == "tracemalloc" else wide[-1]
            add(
                "wide-sum-memory",
                {"variant": variant, "n": n, "mode": mode, "gc": True},
                fresh_process=not quick,
            )
    for op in ("a*b", "a+b", "a*2.0", "tanh(a)", "backward"):
        for gc_on in (True, False):
            add("per-op", {"op": op, "n": s.per_op, "gc": gc_on})
    # One measurement in a fresh process: recording a million-node chain takes seconds.
    add("tape-record", {"variant": "mul-add", "n": chain[-1], "gc": True}, fresh_process=not quick)
    return cases
