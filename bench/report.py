"""From raw trials to what a reader wants: medians, ratios, the floors, markdown tables."""

from __future__ import annotations

import math
import statistics

LOSS_TOLERANCE = 1e-9  # relative: every engine's loss trajectory against the floor's


def add_medians(records: list[dict]) -> None:
    """record["median"] = {metric: median over counted trials} for numeric metrics;
    a "correct" flag is True only if every counted trial was correct."""
    for r in records:
        trials = r["trials"]
        median = {}
        if trials:
            for key, value in trials[0].items():
                if isinstance(value, bool):
                    median[key] = all(t[key] for t in trials)
                elif isinstance(value, (int, float)):
                    median[key] = statistics.median(t[key] for t in trials)
        r["median"] = median


def find(records, workload: str, engine: str, **params) -> dict | None:
    for r in records:
        if (
            r["workload"] == workload
            and r["engine"] == engine
            and all(r["params"].get(k) == v for k, v in params.items())
        ):
            return r
    return None


def value(records, workload, engine, metric, **params) -> float | None:
    r = find(records, workload, engine, **params)
    if r is None or r["status"] != "ok":
        return None
    return r["median"].get(metric)


# --- checks ------------------------------------------------------------------------------------
def loss_agreement(records: list[dict]) -> list[dict]:
    """For each mlp-train case, each engine's losses against the floor's (the first engine
    with results if the floor did not run): max relative difference over the steps, and
    whether every trial of the engine repeated the same trajectory."""
    checks = []
    for r in records:
        if r["workload"] != "mlp-train" or r["status"] != "ok" or not r["trials"]:
            continue
        same_case = [
            o
            for o in records
            if o["workload"] == "mlp-train"
            and o["params"] == r["params"]
            and o["status"] == "ok"
            and o["trials"]
        ]
        reference = next((o for o in same_case if o["engine"] == "floor"), same_case[0])
        ref_losses = reference["trials"][0]["losses"]
        losses = r["trials"][0]["losses"]
        diff = _max_relative_difference(losses, ref_losses)
        # Not bit-for-bit: micrograd orders its graph by set iteration, which varies by run.
        repeatable = all(
            _max_relative_difference(t["losses"], losses) <= LOSS_TOLERANCE
            for t in r["trials"] + r["warmup"]
        )
        checks.append(
            {
                "activation": r["params"]["activation"],
                "engine": r["engine"],
                "reference": reference["engine"],
                "max_relative_difference": diff,
                "losses": losses,
                "repeatable": repeatable,
                "agrees": diff <= LOSS_TOLERANCE and repeatable,
            }
        )
    return checks


def _max_relative_difference(xs, ys) -> float:
    return max(abs(x - y) / max(abs(y), 1e-300) for x, y in zip(xs, ys))


def floors(records: list[dict], max_chain: int, max_wide: int) -> list[dict]:
    """The issue's floors for chaingrad, measured in this run."""
    out = []

    def floor(name, measured, limit, unit, extra=""):
        met = None if measured is None or math.isnan(measured) else measured <= limit
        out.append(
            {
                "floor": name,
                "measured": measured,
                "limit": limit,
                "unit": unit,
                "met": met,
                "note": extra,
            }
        )

    ours = value(records, "mlp-train", "chaingrad", "ms_per_step", activation="relu")
    base = value(records, "mlp-train", "floor", "ms_per_step", activation="relu")
    ratio = ours / base if ours and base else None
    floor(
        "mlp-train (relu, gc on): chaingrad / plain-float floor per step",
        ratio,
        4.0,
        "×",
        f"{ours:.2f} ms vs {base:.2f} ms" if ratio else "",
    )
    floor(
        "per-op a*b built (gc off)",
        value(records, "per-op", "chaingrad", "ns_per_op", op="a*b", gc=False),
        400,
        "ns",
    )
    floor(
        "per-op a+b built (gc off)",
        value(records, "per-op", "chaingrad", "ns_per_op", op="a+b", gc=False),
        400,
        "ns",
    )
    floor(
        "per-op backward, per node (gc off)",
        value(records, "per-op", "chaingrad", "ns_per_node", op="backward", gc=False),
        250,
        "ns",
    )
    mem = value(
        records, "wide-sum-memory", "chaingrad", "rss_bytes_per_node", variant="loop", mode="rss"
    )
    traced = value(
        records,
        "wide-sum-memory",
        "chaingrad",
        "traced_bytes_per_node",
        variant="loop",
        mode="tracemalloc",
    )
    floor(
        f"memory, wide-sum N={max_wide:,} (loop), RSS bytes per node",
        mem,
        200,
        "B",
        f"tracemalloc: {traced:.0f} B/node" if traced else "",
    )
    chain = find(records, "deep-chain", "chaingrad", variant="mul-add", n=max_chain, gc=False)
    ok = chain is not None and chain["status"] == "ok" and chain["median"].get("correct")
    ns = chain["median"]["ns_per_node"] if ok else None
    on = value(
        records, "deep-chain", "chaingrad", "ns_per_node", variant="mul-add", n=max_chain, gc=True
    )
    note = (
        "gradient correct"
        if ok
        else f"{chain['status']}: {chain['note'] or 'wrong gradient'}"
        if chain
        else "not run"
    )
    if on:
        note += f"; gc on: {on:.0f} ns/node"
    floor(f"deep-chain N={max_chain:,} (gc off): build + backward per node", ns, 1000, "ns", note)
    torch = value(records, "mlp-train", "torch-batched", "ms_per_step", activation="relu")
    for name, limit in (("chaingrad-tape", 1.5), ("chaingrad-batched", 0.15)):
        ms = value(records, "mlp-train", name, "ms_per_step", activation="relu")
        note = f"{ms:.3g} ms vs {base:.3g} ms" if ms and base else ""
        if ms and torch and name == "chaingrad-batched":
            note += f"; {ms / torch:.2f}× torch-batched ({torch:.3g} ms)"
        ratio = _div(ms, base)
        floor(f"mlp-train (relu, gc on): {name} / plain-float floor", ratio, limit, "×", note)
    recording = find(records, "tape-record", "chaingrad-tape")
    n = f" N={recording['params']['n']:,}" if recording else ""
    floor(
        f"tape-record, deep-chain{n}: recording a tape / building the graph",
        value(records, "tape-record", "chaingrad-tape", "record_over_forward"),
        2.0,
        "×",
    )
    floor(
        f"tape size, deep-chain{n}, bytes per operation",
        value(records, "tape-record", "chaingrad-tape", "tape_bytes_per_node"),
        64,
        "B",
    )
    return out


def _div(a: float | None, b: float | None) -> float | None:
    return a / b if a and b else None


# --- tables ------------------------------------------------------------------------------------
def _fmt(x: float | None, digits: int = 3) -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "–"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    return f"{x:.{digits}g}"


def _cell(r: dict | None, metric: str, scale: float = 1.0) -> str:
    if r is None:
        return "–"
    if r["status"] != "ok":
        return {"n/a": "n/a", "skipped": "skipped"}.get(r["status"], _short_error(r["note"]))
    v = r["median"].get(metric)
    text = _fmt(v * scale if v is not None else None)
    if r["median"].get("correct") is False:
        text += " ✗wrong"
    return text


def _short_error(note: str) -> str:
    return "✗ " + note.split(":")[0]  # the exception's name; the notes give its text


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _ratio(a: float | None, b: float | None) -> str:
    return _fmt(a / b, 2) + "×" if a and b else "–"


def mlp_table(records, names) -> str:
    rows = []
    for name in names:
        row = [name]
        for activation in ("relu", "tanh"):
            r = find(records, "mlp-train", name, activation=activation)
            ms = value(records, "mlp-train", name, "ms_per_step", activation=activation)
            row += [
                _cell(r, "ms_per_step"),
                _ratio(
                    ms, value(records, "mlp-train", "floor", "ms_per_step", activation=activation)
                ),
                _ratio(
                    ms,
                    value(records, "mlp-train", "chaingrad", "ms_per_step", activation=activation),
                ),
            ]
        rows.append(row)
    return _table(
        [
            "engine",
            "relu ms/step",
            "× floor",
            "× chaingrad",
            "tanh ms/step",
            "× floor",
            "× chaingrad",
        ],
        rows,
    )


def chain_table(records, names) -> str:
    rows = []
    sizes = sorted({r["params"]["n"] for r in records if r["workload"] == "deep-chain"})
    for variant in ("mul-add", "tanh"):
        for n in sizes:
            for name in names:
                on = find(records, "deep-chain", name, variant=variant, n=n, gc=True)
                off = find(records, "deep-chain", name, variant=variant, n=n, gc=False)
                if all(r is None or r["status"] == "n/a" for r in (on, off)):
                    continue  # the notes say why
                rows.append(
                    [
                        variant,
                        f"{n:,}",
                        name,
                        _cell(on, "build_s", 1e3),
                        _cell(on, "backward_s", 1e3),
                        _cell(on, "ns_per_node"),
                        _cell(off, "ns_per_node"),
                    ]
                )
    return _table(
        [
            "chain",
            "N",
            "engine",
            "build ms (gc on)",
            "backward ms (gc on)",
            "ns/node gc on",
            "ns/node gc off",
        ],
        rows,
    )


def wide_table(records, names) -> str:
    rows = []
    sizes = sorted({r["params"]["n"] for r in records if r["workload"] == "wide-sum"})
    for variant in ("loop", "vsum"):
        for n in sizes:
            for name in names:
                r = find(records, "wide-sum", name, variant=variant, n=n)
                if r is None or r["status"] == "n/a":
                    continue  # the notes say why
                rows.append(
                    [
                        variant,
                        f"{n:,}",
                        name,
                        _cell(r, "build_s", 1e3),
                        _cell(r, "backward_s", 1e3),
                        _cell(r, "build_ns_per_node"),
                        _cell(r, "backward_ns_per_node"),
                    ]
                )
    return _table(
        ["sum", "N", "engine", "build ms", "backward ms", "build ns/node", "backward ns/node"], rows
    )


def memory_table(records, names) -> str:
    rows = []
    for variant in ("loop", "vsum"):
        for name in names:
            rss = find(records, "wide-sum-memory", name, variant=variant, mode="rss")
            traced = find(records, "wide-sum-memory", name, variant=variant, mode="tracemalloc")
            if rss is None or rss["status"] == "n/a":
                continue
            rows.append(
                [
                    variant,
                    f"{rss['params']['n']:,}",
                    name,
                    _cell(rss, "rss_bytes_per_node"),
                    _cell(traced, "traced_bytes_per_node"),
                    _cell(rss, "peak_rss_mb"),
                ]
            )
    return _table(
        [
            "sum",
            "N",
            "engine",
            "bytes/node (RSS)",
            "bytes/node (tracemalloc, N ≤ 10⁵)",
            "peak MB (build+backward)",
        ],
        rows,
    )


def per_op_table(records, names) -> str:
    ops = [r["params"]["op"] for r in records if r["workload"] == "per-op"]
    rows = []
    for op in dict.fromkeys(ops):
        metric = "ns_per_node" if op == "backward" else "ns_per_op"
        for name in names:
            on = find(records, "per-op", name, op=op, gc=True)
            off = find(records, "per-op", name, op=op, gc=False)
            if on is None or on["status"] == "n/a":
                continue
            rows.append(
                [
                    op,
                    name,
                    _cell(on, metric),
                    _cell(off, metric),
                    _ratio(
                        value(records, "per-op", name, metric, op=op, gc=False),
                        value(records, "per-op", "floor", metric, op=op, gc=False),
                    ),
                ]
            )
    return _table(["op", "engine", "ns gc on", "ns gc off", "× floor (gc off)"], rows)


def floors_table(floor_rows: list[dict]) -> str:
    rows = [
        [
            f["floor"],
            _fmt(f["measured"]) + " " + f["unit"],
            f"≤ {f['limit']:g} {f['unit']}",
            {True: "MET", False: "MISSED", None: "not measured"}[f["met"]],
            f["note"],
        ]
        for f in floor_rows
    ]
    return _table(["floor (chaingrad)", "measured", "limit", "", "note"], rows)


def loss_table(checks: list[dict]) -> str:
    rows = [
        [
            c["activation"],
            c["engine"],
            c["reference"],
            f"{c['max_relative_difference']:.1e}",
            "yes" if c["agrees"] else "NO",
        ]
        for c in checks
    ]
    return _table(["mlp", "engine", "vs", "max rel. loss difference", "agrees (≤ 1e-9)"], rows)


def notes(records: list[dict], engine_info: dict[str, dict]) -> list[str]:
    lines = [
        f"- {name}: {info['note']}" for name, info in engine_info.items() if not info["available"]
    ]
    seen = set()
    for r in records:
        key = (r["engine"], r["workload"], r["note"])
        if r["status"] != "ok" and key not in seen:
            seen.add(key)
            lines.append(f"- {r['engine']}, {r['workload']}: {r['status']} — {r['note']}")
    return lines


def render(result: dict) -> str:
    """The whole report as markdown."""
    records, names = result["records"], [n for n, i in result["engines"].items() if i["available"]]
    present = {r["workload"] for r in records}
    parts = []
    sections = [
        (
            "mlp-train",
            "mlp-train: ms per step, MLP(2, [16, 16, 1]), "
            f"{result['meta']['mlp_points']} two-moons points, gc on",
            mlp_table,
        ),
        ("deep-chain", "deep-chain: build + backward", chain_table),
        ("wide-sum", "wide-sum: Σ aᵢ·bᵢ, gc on", wide_table),
        ("wide-sum-memory", "wide-sum memory (fresh process per figure)", memory_table),
        ("per-op", "per-op: ns per operation built / per node in backward", per_op_table),
    ]
    for workload, title, table in sections:
        if workload in present:
            parts += [f"### {title}", "", table(records, names), ""]
    if result["loss_checks"]:
        parts += ["### mlp-train loss trajectories", "", loss_table(result["loss_checks"]), ""]
    parts += ["### floors", "", floors_table(result["floors"]), ""]
    extra = notes(records, result["engines"])
    if extra:
        parts += ["### notes", ""] + extra + [""]
    return "\n".join(parts)
