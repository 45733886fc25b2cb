"""``python -m viz "tanh(w*x + b)" w=0.5 x=2 b=-1 -o graph.svg [--explain]``

Builds the expression's graph with the engine (parsed safely: see ``viz.expr``), runs
``backward()``, prints the result and the gradient of every variable, and writes the drawing
(``-o``: .svg, .png, .pdf or .dot) and/or the chain rule written out (``--explain``).
Errors are one line on stderr and a non-zero exit: 2 for bad input, 1 if writing failed.
"""

from __future__ import annotations

import argparse
import os
import sys

from viz.dot import GraphvizNotFoundError, format_number, output_format, render
from viz.explain import explain
from viz.expr import FUNCTIONS, ExpressionError, evaluate, parse_assignment


def _program_name() -> str:
    # The console script chaingrad-viz names itself; anything else is `python -m viz`.
    base = os.path.basename(sys.argv[0] if sys.argv else "")
    return base.removesuffix(".exe") if base.startswith("chaingrad-") else "python -m viz"


PROG = _program_name()


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, no usage dump
        if "unrecognized arguments: -" in message or "expected one argument" in message:
            message += (
                f" (an expression that starts with '-' goes after '--', e.g. {PROG} -- '-x*2' x=1)"
            )
        self.exit(2, f"{PROG}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(
        prog=PROG,
        description="Draw an expression's computation graph and explain "
        "its backward pass. Functions: " + ", ".join(FUNCTIONS) + ".",
    )
    p.add_argument("expression", help='e.g. "tanh(w*x + b)"')
    p.add_argument(
        "assignments",
        nargs="*",
        metavar="name=value",
        help="a number for each variable, e.g. w=0.5 x=2 b=-1",
    )
    p.add_argument("-o", "--output", help="write the drawing here (.svg .png .pdf .dot)")
    p.add_argument(
        "--explain",
        action="store_true",
        help="print the backward pass written out (chain rule, step by step)",
    )
    p.add_argument(
        "--format",
        choices=("text", "markdown"),
        default="text",
        help="format of --explain (default: text)",
    )
    p.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default="LR",
        help="drawing direction: LR (left to right, default) or TB",
    )
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.output:
        try:
            output_format(args.output)
        except ValueError as e:
            print(f"{PROG}: error: -o: {e}", file=sys.stderr)
            return 2
    try:
        values = {}
        for text in args.assignments:
            name, number = parse_assignment(text)
            if name in values:
                raise ExpressionError(f"{name} is given twice")
            values[name] = number
        result, leaves = evaluate(args.expression, values)
    except ExpressionError as e:
        where = f" in {e.text!r}" if e.text and e.column is not None else ""
        print(f"{PROG}: error: {e}{where}", file=sys.stderr)
        return 2
    unused = sorted(set(values) - set(leaves))
    if unused:
        print(f"{PROG}: warning: not in the expression: {', '.join(unused)}", file=sys.stderr)

    if result.requires_grad:
        result.backward()
    print(f"{args.expression.strip()} = {format_number(result.data)}")
    for name, leaf in leaves.items():
        print(f"  ∂/∂{name} = {format_number(leaf.grad)}")
    if args.explain:
        print()
        print(explain(result, format=args.format), end="")
    if args.output:
        try:
            render(result, args.output, rankdir=args.rankdir)
        except (GraphvizNotFoundError, ValueError, OSError, RuntimeError) as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            return 1
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
