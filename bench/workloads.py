"""One trial of each workload on one engine: what is timed, what is counted, what is checked.

A trial returns a dict of numbers (times in seconds unless the key says otherwise). The
runner calls trials many times, alternating engines, and the report takes medians.

How nodes are counted (the same for every engine, since every engine is given the same
expressions):
- deep-chain: *operation* nodes — 2 per step for ``y = y·1.0001 + 0.001`` (a mul and an
  add), 3 per step for ``y = 2·tanh(y/2)`` (mul, tanh, mul). Leaves and constants are left out.
- wide-sum: *all* nodes of the graph — the 2N leaves aᵢ, bᵢ, the N products, and N − 1 adds
  (built as a Python loop ``s = s + a*b``, starting from the first product, so no constant
  node) or 1 n-ary sum node (``vsum``, chaingrad only). Memory per node divides by this count.
- per-op backward: *all* nodes of Σ aᵢ·bᵢ with the products added as a balanced binary tree
  (depth log₂ N, so recursive engines can run it): the 2N leaves, N products and N − 1 adds.
  Every one of them is visited by the backward pass (the leaves receive their gradients), and
  this is the count under which the issue's reference figure for micrograd (≈ 460 ns per node)
  was taken: micrograd's own topological order lists leaves too.
"""

from __future__ import annotations

import gc
import math
import random
import time
import tracemalloc
from collections.abc import Callable

from bench.data import MLP_SIZES, initial_weights, two_moons
from bench.engines import Engine, MLPSpec, Unsupported, get

clock = time.perf_counter

CHAIN_X0 = 0.5
MUL, ADD = 1.0001, 0.001  # the mul-add chain's constants
CHAIN_OPS_PER_STEP = {"mul-add": 2, "tanh": 3}
RELATIVE_TOLERANCE = 1e-6  # for results summed or multiplied over up to 10⁶ rounding steps


# --- mlp-train ---------------------------------------------------------------------------------
def mlp_spec(activation: str, points: int, lr: float = 0.05) -> MLPSpec:
    xs, ys = two_moons(points, seed=0)
    return MLPSpec(MLP_SIZES, activation, initial_weights(MLP_SIZES, seed=0), xs, ys, lr)


def mlp_train(engine: Engine, p: dict) -> dict:
    """``steps`` timed training steps after one untimed step, from the shared initial weights;
    ms per step is their mean. The untimed step puts the engine's working set back in the
    caches that the other engines' runs, alternating with this one, have used meanwhile (a
    user's training loop runs its steps back to back). Every step's loss is kept."""
    step = engine.mlp_trainer(mlp_spec(p["activation"], p["points"]))
    times, losses = [], [step()]
    for _ in range(p["steps"]):
        start = clock()
        losses.append(step())
        times.append(clock() - start)
    return {"ms_per_step": 1e3 * sum(times) / len(times), "losses": losses}


# --- deep-chain --------------------------------------------------------------------------------
def chain_reference(n: int, variant: str) -> float:
    """dy/dx of the chain. mul-add has the closed form 1.0001ⁿ; tanh has none, so its
    reference is the plain-float recursion dy ← dy·(1 − tanh²(y/2)) carried forward."""
    if variant == "mul-add":
        return MUL**n
    return get("floor").chain(CHAIN_X0, n, variant)[0].derivative


def deep_chain(engine: Engine, p: dict) -> dict:
    n, variant = p["n"], p["variant"]
    start = clock()
    x, y = engine.chain(CHAIN_X0, n, variant)
    built = clock()
    engine.backward(y)
    done = clock()
    backward_s = done - built if engine.has_graph else math.nan  # the floor: no backward
    got = engine.grad(x)
    del x, y
    freed = clock()
    expected = chain_reference(n, variant)
    nodes = CHAIN_OPS_PER_STEP[variant] * n
    return {
        "build_s": built - start,
        "backward_s": backward_s,
        "free_s": freed - done,
        "ns_per_node": 1e9 * (done - start) / nodes,
        "op_nodes": nodes,
        "grad": got,
        "expected_grad": expected,
        "correct": _close(got, expected),
    }


# --- wide-sum ----------------------------------------------------------------------------------
def wide_sum_inputs(n: int):
    rng = random.Random(1)
    return [rng.uniform(-1, 1) for _ in range(n)], [rng.uniform(-1, 1) for _ in range(n)]


def sum_of_products(engine: Engine, a: list, b: list, variant: str):
    """Σ aᵢ·bᵢ: a Python loop ``s = s + a*b`` ("loop") or one n-ary sum node ("vsum")."""
    if variant == "vsum":
        return engine.vsum([ai * bi for ai, bi in zip(a, b)])
    pairs = zip(a, b)
    a0, b0 = next(pairs)
    s = a0 * b0
    for ai, bi in pairs:
        s = s + ai * bi
    return s


def wide_sum_nodes(n: int, variant: str) -> int:
    return 2 * n + n + (1 if variant == "vsum" else n - 1)


def wide_sum(engine: Engine, p: dict) -> dict:
    n, variant = p["n"], p["variant"]
    if variant == "vsum":
        engine.vsum([engine.leaf(1.0)])  # n/a before timing anything
    a_vals, b_vals = wide_sum_inputs(n)
    start = clock()
    a, b = engine.leaves(a_vals), engine.leaves(b_vals)
    s = sum_of_products(engine, a, b, variant)
    built = clock()
    try:
        engine.backward(s)
    except Unsupported:  # the floor: the build is the whole computation
        backward_s, correct = (
            math.nan,
            _close(engine.data(s), math.fsum(map(float.__mul__, a_vals, b_vals))),
        )
    else:
        backward_s = clock() - built
        correct = all(
            _close(engine.grad(a[i]), b_vals[i]) and _close(engine.grad(b[i]), a_vals[i])
            for i in (0, n // 2, n - 1)
        )
    nodes = wide_sum_nodes(n, variant)
    return {
        "build_s": built - start,
        "backward_s": backward_s,
        "build_ns_per_node": 1e9 * (built - start) / nodes,
        "backward_ns_per_node": 1e9 * backward_s / nodes,
        "nodes": nodes,
        "correct": correct,
    }


def wide_sum_memory(engine: Engine, p: dict) -> dict:
    """Bytes per node of the built graph, in a fresh process (see plan.py).

    mode "rss": the process's resident memory after building minus before (what the machine
    pays, allocator overhead included), and the peak during build + backward.
    mode "tracemalloc": the bytes Python allocated for the graph (Python objects only: it
    cannot see PyTorch's C++ allocations). The input floats exist before either measurement.
    """
    n, variant = p["n"], p["variant"]
    if not engine.has_graph:
        raise Unsupported("no graph to measure")
    if variant == "vsum":
        engine.vsum([engine.leaf(1.0)])
    a_vals, b_vals = wide_sum_inputs(n)
    nodes = wide_sum_nodes(n, variant)
    gc.collect()
    if p["mode"] == "tracemalloc":
        tracemalloc.start()
        a, b = engine.leaves(a_vals), engine.leaves(b_vals)
        s = sum_of_products(engine, a, b, variant)
        graph_bytes, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del a, b, s
        return {"traced_bytes_per_node": graph_bytes / nodes, "nodes": nodes}
    before = _rss_bytes()
    a, b = engine.leaves(a_vals), engine.leaves(b_vals)
    s = sum_of_products(engine, a, b, variant)
    graph_bytes = _rss_bytes() - before
    try:
        engine.backward(s)
    except (Unsupported, RecursionError):
        pass  # the graph's size is measured; a backward that fails is reported by wide-sum
    peak = max(_peak_rss_bytes(), _rss_bytes()) - before
    return {"rss_bytes_per_node": graph_bytes / nodes, "peak_rss_mb": peak / 2**20, "nodes": nodes}


def _rss_bytes() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * _PAGE


def _peak_rss_bytes() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # KiB on Linux


try:
    import os

    _PAGE = os.sysconf("SC_PAGE_SIZE")
except (ImportError, ValueError, AttributeError):
    _PAGE = 4096


# --- per-op ------------------------------------------------------------------------------------
# Each builds n results from the leaf lists a and b; the comprehension's own cost (~20-30 ns
# per item) is included for every engine alike, the floor shows its size.
OPS: dict[str, Callable[[Engine, list, list], list]] = {
    "a*b": lambda e, a, b: [x * y for x, y in zip(a, b)],
    "a+b": lambda e, a, b: [x + y for x, y in zip(a, b)],
    "a*2.0": lambda e, a, b: [x * 2.0 for x in a],
    "tanh(a)": lambda e, a, b: [e.tanh(x) for x in a],
}
BACKWARD_OP = "backward"


def pairwise_sum(xs: list):
    """x₀ + x₁ + … as a balanced binary tree of adds (shallow, unlike a left-to-right sum)."""
    while len(xs) > 1:
        pairs = [xs[i] + xs[i + 1] for i in range(0, len(xs) - 1, 2)]
        xs = pairs + xs[-1:] if len(xs) % 2 else pairs
    return xs[0]


def per_op(engine: Engine, p: dict) -> dict:
    n, op = p["n"], p["op"]
    rng = random.Random(2)
    a_vals = [rng.uniform(0.5, 1.5) for _ in range(n)]
    b_vals = [rng.uniform(0.5, 1.5) for _ in range(n)]
    a, b = engine.leaves(a_vals), engine.leaves(b_vals)
    if op == BACKWARD_OP:
        root = pairwise_sum([x * y for x, y in zip(a, b)])
        start = clock()
        engine.backward(root)
        elapsed = clock() - start
        nodes = 4 * n - 1
        return {
            "ns_per_node": 1e9 * elapsed / nodes,
            "nodes": nodes,
            "correct": _close(engine.grad(a[0]), b_vals[0]),
        }
    if op == "tanh(a)":
        engine.tanh(a[0])  # n/a before timing anything
    start = clock()
    out = OPS[op](engine, a, b)
    elapsed = clock() - start
    del out
    return {"ns_per_op": 1e9 * elapsed / n}


def _close(got: float, expected: float) -> bool:
    return math.isclose(got, expected, rel_tol=RELATIVE_TOLERANCE, abs_tol=1e-300)


# --- tape-record -------------------------------------------------------------------------------
def tape_record(engine: Engine, p: dict) -> dict:
    """Recording a tape of the deep chain against building its graph (engines with tapes)."""
    measure = getattr(engine, "record_cost", None)
    if measure is None:
        raise Unsupported("records no tape")
    return measure(p["n"], p["variant"])


TRIALS: dict[str, Callable[[Engine, dict], dict]] = {
    "mlp-train": mlp_train,
    "deep-chain": deep_chain,
    "wide-sum": wide_sum,
    "wide-sum-memory": wide_sum_memory,
    "per-op": per_op,
    "tape-record": tape_record,
}
WORKLOADS = ["mlp-train", "deep-chain", "wide-sum", "per-op", "tape-record"]  # --only accepts these
