"""Mutation testing of the engine: does the test suite notice a one-token change?

    python -m bench.mutation                       # every mutant (about 1,200; an hour or two)
    python -m bench.mutation --only "primitives.py:194" --output survivors.md
    python -m bench.mutation --tests tests/test_engine_ops.py   # those files for every mutant

Each mutant changes one token of one line of ``autograd/primitives.py``, ``backward.py``,
``_floats.py`` or ``value.py``: a comparison (``<`` ↔ ``<=``, ``==`` ↔ ``!=``), an arithmetic
operator (``+`` ↔ ``-``, ``*`` ↔ ``/``), a number (0 ↔ 1, c → c + 1), a boolean constant or
operator (``and`` ↔ ``or``), a negated condition (``if c`` → ``if not c``), or a dropped unary
minus. The mutated file is written into a copy of the project and the tests run there
(``pytest -x``: the first failure kills the mutant; a time-out counts as killed too). A mutant
that survives is either a hole in the tests or equivalent to the original (no input can tell
them apart): the report lists the survivors for a person to judge.

Why coverage-guided: the whole suite takes minutes and a mutant needs it once, so 1,200 runs of
it would take days. One baseline run under coverage (``--cov-context=test``) records which
tests execute each line; a mutant then runs only the tests that executed its line (a test
that never runs the line cannot notice the change), quickest first, so a killed mutant
usually dies within a second. A line that only runs at import time (a module constant, a
default argument) could matter to any test: its mutants run every test that executed any
line of the file. A mutant on a line no test executes survives without a run. Tests slower
than ``--longest`` seconds are left out (a surviving mutant of a hot line would pay for all of
them). The baseline is cached in ``--baseline`` (delete it after changing the tests); with
``--journal`` each result is appended as it comes and a rerun skips those. Each run is a fork
of this process with PyTorch, NumPy, hypothesis and pytest already imported (importing them is
most of a short run), the mutated copy of the project first on ``sys.path``.

The mutation operators are the classic ones (DeMillo, Lipton and Sayward 1978; mutmut's set,
roughly); mutmut itself needs its own configuration and a full test run per mutant.
"""

from __future__ import annotations

import argparse
import ast
import gc
import importlib
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGETS = (
    "autograd/primitives.py",
    "autograd/backward.py",
    "autograd/_floats.py",
    "autograd/value.py",
)
# Left out of the baseline: the command-line, browser and benchmark tests (subprocesses and
# minutes of training, they exercise the engine only through what the other tests cover).
SLOW_TESTS = (
    "tests/test_viz_viewer_browser.py",
    "tests/test_nn_cli.py",
    "tests/test_nn_cli_real.py",
    "tests/test_nn_export_cli.py",
    "tests/test_bench_smoke.py",
)
PYTEST_OPTIONS = ("-p", "no:cacheprovider", "-p", "no:randomly", "--hypothesis-seed=0")
# The old fixed selection (``--tests`` without files): the engine's own tests.
FAST_TESTS = (
    "tests/test_engine_ops.py",
    "tests/test_engine_ops_math.py",
    "tests/test_engine_ops_piecewise.py",
    "tests/test_engine_activations.py",
    "tests/test_engine_constant_output.py",
    "tests/test_engine_edge_cases.py",
    "tests/test_engine_special_cases.py",
    "tests/test_engine_graph.py",
    "tests/test_engine_errors.py",
    "tests/test_engine_fast_paths.py",
    "tests/test_engine_higher_order.py",
    "tests/test_engine_backprop_docs.py",
    "tests/test_anomaly_create_graph.py",
)

_SWAPS: dict[type, type] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
    ast.Mod: ast.FloorDiv,
    ast.Pow: ast.Mult,
    ast.And: ast.Or,
    ast.Or: ast.And,
}


@dataclass(frozen=True)
class Mutant:
    path: str
    index: int  # which node of ast.walk's order
    line: int
    description: str
    lines: tuple[int, ...] = ()  # the lines whose execution the mutation can change

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.description}"


def _sites(tree: ast.AST) -> Iterator[tuple[int, ast.AST, str, Callable[[ast.AST], None]]]:
    """(node index, node, description, apply) for every mutation of the tree."""
    annotations = {
        id(n)
        for a in ast.walk(tree)
        for field in ("annotation", "returns")
        if getattr(a, field, None) is not None
        for n in ast.walk(getattr(a, field))
    }
    docstrings = {
        id(body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and (body := node.body)
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
    }
    for index, node in enumerate(ast.walk(tree)):
        if id(node) in annotations or id(node) in docstrings:
            continue
        yield from _node_sites(index, node)


def _node_sites(index: int, node: ast.AST):
    def swap_op(attribute: str, position: int | None = None):
        def apply(n):
            if position is None:
                old = getattr(n, attribute)
                setattr(n, attribute, _SWAPS[type(old)]())
            else:
                ops = getattr(n, attribute)
                ops[position] = _SWAPS[type(ops[position])]()

        return apply

    if isinstance(node, (ast.BinOp, ast.AugAssign)) and type(node.op) in _SWAPS:
        new = _SWAPS[type(node.op)].__name__
        yield index, node, f"{type(node.op).__name__} -> {new}", swap_op("op")
    elif isinstance(node, ast.BoolOp):
        new = _SWAPS[type(node.op)].__name__
        yield index, node, f"{type(node.op).__name__} -> {new}", swap_op("op")
    elif isinstance(node, ast.Compare):
        for k, op in enumerate(node.ops):
            if type(op) in _SWAPS:
                new = _SWAPS[type(op)].__name__
                which = f" (comparison {k + 1})" if k else ""  # a < b < c: two mutants
                yield index, node, f"{type(op).__name__} -> {new}{which}", swap_op("ops", k)
    elif isinstance(node, ast.Constant) and type(node.value) in (int, float, bool):
        value = node.value
        if type(value) is bool:
            replacement: object = not value
        elif value == 0:
            replacement = type(value)(1)
        elif value == 1:
            replacement = type(value)(0)
        else:
            replacement = value + 1

        def set_value(n, replacement=replacement):
            n.value = replacement

        yield index, node, f"{value!r} -> {replacement!r}", set_value
    elif isinstance(node, (ast.If, ast.While, ast.IfExp)):

        def negate(n):
            n.test = ast.UnaryOp(ast.Not(), n.test)

        yield index, node, "condition negated", negate
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Not)):

        def drop(n):
            n.op = ast.UAdd() if isinstance(n.op, ast.USub) else ast.Not()
            if isinstance(n.op, ast.Not):  # not not x: the truth value without the negation
                n.operand = ast.UnaryOp(ast.Not(), n.operand)

        yield index, node, f"{type(node.op).__name__} dropped", drop


def mutants(root: Path = ROOT) -> list[Mutant]:
    found = []
    for path in TARGETS:
        tree = ast.parse((root / path).read_text(encoding="utf-8"))
        statement = {  # the innermost statement around each node
            id(child): node
            for node in ast.walk(tree)
            if isinstance(node, ast.stmt)
            for child in ast.walk(node)
        }
        for index, node, description, _ in _sites(tree):
            span = node.test if isinstance(node, (ast.If, ast.While)) else node
            first = statement[id(node)].lineno if id(node) in statement else span.lineno
            lines = (first, *range(span.lineno, (span.end_lineno or span.lineno) + 1))
            found.append(Mutant(path, index, node.lineno, description, tuple(sorted(set(lines)))))
    return found


def mutated_source(root: Path, mutant: Mutant) -> str:
    tree = ast.parse((root / mutant.path).read_text(encoding="utf-8"))
    for index, node, description, apply in _sites(tree):
        if index == mutant.index and description == mutant.description:
            apply(node)
            return ast.unparse(ast.fix_missing_locations(tree))
    raise LookupError(f"no such mutant: {mutant}")


def _copy_project(destination: Path) -> None:
    for name in ("autograd", "tests", "nn", "viz", "bench"):
        shutil.copytree(
            ROOT / name, destination / name, ignore=shutil.ignore_patterns("__pycache__")
        )
    for name in ("pyproject.toml", "README.md"):  # README.md: its examples are tested
        shutil.copy(ROOT / name, destination / name)


def _baseline_tests() -> list[str]:
    return sorted(
        str(path.relative_to(ROOT))
        for path in (ROOT / "tests").glob("test_*.py")
        if str(path.relative_to(ROOT)) not in SLOW_TESTS
    )


def baseline(work: Path, tests: list[str]) -> dict:
    """Run the tests once under coverage: which tests execute each line, and their durations.

    {"lines": {path: {line: [test ids]}}, "seconds": {test id: seconds}}
    """
    from coverage import CoverageData  # a dev dependency, needed for the baseline only

    command = [
        *("-q", *PYTEST_OPTIONS, "--cov=autograd", "--cov-context=test", "--cov-report="),
        *("--durations=0", "--durations-min=0", *tests),
    ]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", *command],
        cwd=work,
        env=_environment(work),
        capture_output=True,
        text=True,
    )
    if done.returncode != 0:
        raise SystemExit(f"mutation: the tests fail on the unchanged code\n{done.stdout[-3000:]}")
    seconds: dict[str, float] = {}
    for match in re.finditer(r"^([\d.]+)s (?:setup|call|teardown) +(\S.*)$", done.stdout, re.M):
        seconds[match[2]] = seconds.get(match[2], 0.0) + float(match[1])
    data = CoverageData(str(work / ".coverage"))
    data.read()
    lines: dict[str, dict[str, list[str]]] = {}
    for measured in data.measured_files():
        path = Path(measured).relative_to(work).as_posix()
        if path in TARGETS:
            lines[path] = {
                str(line): sorted({c.rpartition("|")[0] for c in contexts if "|" in c})
                for line, contexts in data.contexts_by_lineno(measured).items()
            }
    return {"lines": lines, "seconds": seconds}


def select(mutant: Mutant, base: dict, longest: float = float("inf")) -> list[str]:
    """The tests that executed the mutant's lines, quickest first (see the docstring), but
    none that took longer than ``longest`` seconds in the baseline."""
    by_line = base["lines"].get(mutant.path, {})
    chosen = {test for line in mutant.lines for test in by_line.get(str(line), ())}
    executed = any(str(line) in by_line for line in mutant.lines)
    if executed and not chosen:  # run at import time only
        chosen = {test for tests in by_line.values() for test in tests}
    seconds = base["seconds"]
    chosen = {test for test in chosen if seconds.get(test, 1.0) <= longest}
    return sorted(chosen, key=lambda test: (seconds.get(test, 1.0), test))


def _environment(work: Path) -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=str(work), HYPOTHESIS_PROFILE="default", OMP_NUM_THREADS="1")


def _preload() -> None:
    """Import the heavy libraries the tests use, once, before the forks (not the project)."""
    os.environ["OMP_NUM_THREADS"] = "1"
    # torch._dynamo: torch's double backward of some functions imports it (3 s) on first use
    for name in ("torch", "torch._dynamo", "numpy", "mpmath", "hypothesis", "matplotlib.pyplot"):
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    import pytest  # noqa: F401

    assert "autograd" not in sys.modules, "the forks must import the mutated copy"
    gc.freeze()  # pytest collects garbage at its end: skip the libraries' million objects


def _pytest(work: Path, tests: list[str], timeout: float) -> str:
    """Run pytest -x on these tests in a fork: "killed", "survived", "timeout" or "error N"."""
    pid = os.fork()
    if pid == 0:  # the child: never returns
        code = 3
        try:
            signal.alarm(max(1, round(timeout)))
            os.environ.update(_environment(work))
            os.chdir(work)
            sys.path[:] = [str(work)] + [p for p in sys.path if p not in ("", str(ROOT))]
            quiet = os.open(os.devnull, os.O_WRONLY)
            os.dup2(quiet, 1)
            os.dup2(quiet, 2)
            import pytest

            code = int(pytest.main(["-x", "-q", *PYTEST_OPTIONS, *tests]))
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    if os.WIFSIGNALED(status):
        return "timeout" if os.WTERMSIG(status) == signal.SIGALRM else "killed"
    code = os.WEXITSTATUS(status)
    # 1: a test failed; 2: interrupted, e.g. the mutated module fails to import; 4: a test
    # module fails to collect, so its test ids are "not found" (all are on unchanged code)
    return {0: "survived", 1: "killed", 2: "killed", 4: "killed"}.get(code, f"error {code}")


def run(
    selected: list[Mutant],
    tests: list[str] | None,
    per_mutant: float,
    time_limit: float,
    baseline_file: Path,
    journal: Path | None,
    longest: float = float("inf"),
) -> tuple[list[tuple[Mutant, str, int]], float]:
    """Run the tests against each mutant; (mutant, outcome, number of tests run)."""
    done: dict[str, tuple[str, int]] = {}
    if journal is not None and journal.exists():
        for row in map(json.loads, journal.read_text(encoding="utf-8").splitlines()):
            done[row["key"]] = row["outcome"], row["tests"]
    results = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutation-") as directory:
        work = Path(directory)
        _copy_project(work)
        if tests is None and baseline_file.exists():
            base = json.loads(baseline_file.read_text(encoding="utf-8"))
        elif tests is None:
            print(f"mutation: baseline run under coverage -> {baseline_file}", flush=True)
            base = baseline(work, _baseline_tests())
            baseline_file.write_text(json.dumps(base), encoding="utf-8")
        _preload()
        if tests is not None and _pytest(work, tests, per_mutant * 4) != "survived":
            raise SystemExit("mutation: the tests fail on the unchanged code")
        for mutant in selected:
            key = f"{mutant.path}:{mutant.index}:{mutant.description}"
            if key in done:
                results.append((mutant, *done[key]))
                continue
            if time.monotonic() - start > time_limit:
                break
            chosen = tests if tests is not None else select(mutant, base, longest)
            outcome = "survived"
            if chosen:
                limit = per_mutant
                if tests is None:
                    expected = sum(base["seconds"].get(test, 1.0) for test in chosen)
                    limit = min(per_mutant, 60 + 3 * expected)
                target = work / mutant.path
                original = target.read_text(encoding="utf-8")
                try:
                    target.write_text(mutated_source(work, mutant), encoding="utf-8")
                    # the quickest tests alone first: collecting a thousand costs seconds
                    outcome = _pytest(work, chosen[:50], limit)
                    if outcome == "survived" and len(chosen) > 50:
                        outcome = _pytest(work, chosen, limit)
                finally:
                    target.write_text(original, encoding="utf-8")
            results.append((mutant, outcome, len(chosen)))
            print(f"{outcome:8}  {len(chosen):5} tests  {mutant}", flush=True)
            if journal is not None:
                row = {"key": key, "outcome": outcome, "tests": len(chosen), "mutant": str(mutant)}
                with journal.open("a", encoding="utf-8") as file:
                    file.write(json.dumps(row) + "\n")
    return results, time.monotonic() - start


def report(results: list[tuple[Mutant, str, int]], total: int, seconds: float) -> str:
    killed = sum(outcome in ("killed", "timeout") for _, outcome, _ in results)
    timeouts = sum(outcome == "timeout" for _, outcome, _ in results)
    errors = [(m, o) for m, o, _ in results if o.startswith("error")]
    average = sum(n for _, _, n in results) / max(1, len(results))
    lines = [
        f"# Mutation run: {killed} of {len(results)} mutants killed "
        f"({len(results)} run of {total}, {seconds / 60:.1f} min)",
        "",
        f"{timeouts} killed by the time-out; {average:.0f} tests selected per mutant on average.",
        "",
        "Survivors (each a hole in the tests or an equivalent mutant; the tests it ran):",
        "",
    ]
    lines += [
        f"- {mutant} ({n} tests): `{_line(mutant)}`"
        for mutant, outcome, n in results
        if outcome == "survived"
    ]
    if errors:
        lines += ["", "Errors (pytest could not run the selection):", ""]
        lines += [f"- {mutant}: {outcome}" for mutant, outcome in errors]
    return "\n".join(lines) + "\n"


def _line(mutant: Mutant) -> str:
    return (ROOT / mutant.path).read_text(encoding="utf-8").splitlines()[mutant.line - 1].strip()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.mutation",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--only", help="only mutants whose description or file contains this")
    parser.add_argument("--per-mutant", type=float, default=600.0, help="at most, seconds")
    parser.add_argument("--time-limit", type=float, default=float("inf"), help="seconds in all")
    parser.add_argument("--output", help="also write the report to this file")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--tests",
        nargs="*",
        help="run these test files for every mutant instead of the coverage-guided selection "
        "(no files: the fast engine tests)",
    )
    parser.add_argument(
        "--baseline",
        default=str(Path(tempfile.gettempdir()) / "chaingrad-mutation-baseline.json"),
        help="the coverage baseline's cache (computed if missing)",
    )
    parser.add_argument("--journal", help="append each result to this file; resume from it")
    parser.add_argument(
        "--longest",
        type=float,
        default=10.0,
        help="leave out the tests that took longer than this in the baseline (seconds, under "
        "coverage; default 10: the million-node graphs, the README demo, training runs, which "
        "every surviving mutant of a hot line would otherwise pay for)",
    )
    args = parser.parse_args(argv)
    every = mutants()
    selected = [m for m in every if not args.only or args.only in str(m)]
    if args.list:
        print("\n".join(map(str, selected)))
        return 0
    if args.sample is not None:
        selected = random.Random(args.seed).sample(selected, min(args.sample, len(selected)))
    tests = None if args.tests is None else list(args.tests or FAST_TESTS)
    journal = None if args.journal is None else Path(args.journal)
    results, seconds = run(
        selected,
        tests,
        args.per_mutant,
        args.time_limit,
        Path(args.baseline),
        journal,
        args.longest,
    )
    text = report(results, len(every), seconds)
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
