"""Mutation testing of the engine: does the test suite notice a one-token change?

    python -m bench.mutation                       # every mutant, the fast engine tests
    python -m bench.mutation --sample 60 --time-limit 1800 --output mutation.md

Each mutant changes one token of one line of ``autograd/primitives.py``, ``backward.py``,
``_floats.py`` or ``value.py``: a comparison (``<`` ↔ ``<=``, ``==`` ↔ ``!=``), an arithmetic
operator (``+`` ↔ ``-``, ``*`` ↔ ``/``), a number (0 ↔ 1, c → c + 1), a boolean constant or
operator (``and`` ↔ ``or``), a negated condition (``if c`` → ``if not c``), or a dropped unary
minus. The mutated file is written into a copy of the project and the tests run there
(``pytest -x``: the first failure kills the mutant; a time-out counts as killed too). A mutant
that survives is either a hole in the tests or equivalent to the original (no input can tell
them apart): the report lists the survivors for a person to judge.

The mutation operators are the classic ones (DeMillo, Lipton and Sayward 1978; mutmut's set,
roughly); mutmut itself needs its own configuration and a full test run per mutant, so this
small script keeps the runs to the fast engine tests.
"""

from __future__ import annotations

import argparse
import ast
import os
import random
import shutil
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
                yield index, node, f"{type(op).__name__} -> {new}", swap_op("ops", k)
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
        for index, node, description, _ in _sites(tree):
            found.append(Mutant(path, index, getattr(node, "lineno", 0), description))
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


def run(
    selected: list[Mutant], tests: tuple[str, ...], per_mutant: float, time_limit: float
) -> tuple[list[tuple[Mutant, str]], float]:
    """Run the tests against each mutant; (mutant, "killed" | "survived" | "timeout")."""
    results = []
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="mutation-") as directory:
        work = Path(directory)
        _copy_project(work)
        environment = dict(os.environ, PYTHONPATH=str(work), HYPOTHESIS_PROFILE="default")
        baseline = _pytest(work, tests, environment, per_mutant * 4)
        if baseline != "survived":
            raise SystemExit(f"mutation: the tests fail on the unchanged code ({baseline})")
        for mutant in selected:
            if time.monotonic() - start > time_limit:
                break
            target = work / mutant.path
            original = target.read_text(encoding="utf-8")
            try:
                target.write_text(mutated_source(ROOT, mutant), encoding="utf-8")
                outcome = _pytest(work, tests, environment, per_mutant)
            finally:
                target.write_text(original, encoding="utf-8")
            results.append((mutant, outcome))
            print(f"{outcome:8}  {mutant}", flush=True)
    return results, time.monotonic() - start


def _pytest(work: Path, tests, environment, timeout: float) -> str:
    command = [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests]
    try:
        done = subprocess.run(
            command, cwd=work, env=environment, capture_output=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "survived" if done.returncode == 0 else "killed"


def report(results: list[tuple[Mutant, str]], total: int, seconds: float) -> str:
    killed = sum(outcome != "survived" for _, outcome in results)
    lines = [
        f"# Mutation run: {killed} of {len(results)} mutants killed "
        f"({len(results)} run of {total}, {seconds / 60:.1f} min)",
        "",
        "Survivors (each a hole in the tests or an equivalent mutant):",
        "",
    ]
    lines += [f"- {mutant}" for mutant, outcome in results if outcome == "survived"]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.mutation", description=__doc__)
    parser.add_argument("--sample", type=int, help="run a random sample of this many mutants")
    parser.add_argument("--seed", type=int, default=0, help="seed of the sample (default 0)")
    parser.add_argument("--only", help="only mutants whose description or file contains this")
    parser.add_argument("--per-mutant", type=float, default=300.0, help="seconds per test run")
    parser.add_argument("--time-limit", type=float, default=float("inf"), help="seconds in all")
    parser.add_argument("--output", help="also write the report to this file")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    args = parser.parse_args(argv)
    every = mutants()
    selected = [m for m in every if not args.only or args.only in str(m)]
    if args.list:
        print("\n".join(map(str, selected)))
        return 0
    if args.sample is not None:
        selected = random.Random(args.seed).sample(selected, min(args.sample, len(selected)))
    results, seconds = run(selected, FAST_TESTS, args.per_mutant, args.time_limit)
    text = report(results, len(every), seconds)
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
