"""``python -m viz "tanh(w*x + b)" w=0.5 x=2 b=-1 -o graph.svg [--explain] [--html steps.html]``

Builds the expression's graph with the engine (parsed safely: see ``viz.expr``), runs
``backward()``, prints the result and the gradient of every variable, and writes the drawing
(``-o``: .svg, .png, .pdf or .dot), the chain rule written out (``--explain``) and/or the
step-through viewer (``--html``). Options may come before or after the expression; an
expression that starts with ``-`` goes right after ``--``, and options may still follow it.
Errors are one line on stderr and a non-zero exit: 2 for bad input, 1 if writing failed.
A closed pipe (``| head``) ends the command quietly.
"""

from __future__ import annotations

import argparse
import os
import sys

from viz.dot import DEFAULT_MAX_NODES, GraphvizNotFoundError, format_number, output_format, render
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
        epilog=f"Options may come before or after the expression. An expression that starts "
        f"with '-' goes right after '--': {PROG} -- '-x**2 + 3*x' x=1 -o graph.png",
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
        "--html",
        metavar="PATH",
        help="write the step-through viewer of the forward and backward pass (one HTML file)",
    )
    p.add_argument(
        "--max-nodes",
        type=_max_nodes,
        default=DEFAULT_MAX_NODES,
        metavar="N",
        help=f"draw at most N Values (default {DEFAULT_MAX_NODES}; 0 for no limit); --html "
        "refuses a larger graph",
    )
    p.add_argument(
        "--rankdir",
        choices=("LR", "TB"),
        default="LR",
        help="drawing direction: LR (left to right, default) or TB",
    )
    return p


def _max_nodes(text: str) -> int | None:
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if n < 0:
        raise argparse.ArgumentTypeError(f"must be ≥ 0 (0 for no limit), got {n}")
    return n or None


_PLACEHOLDER = "viz-expression-after-double-dash"


def _parse(argv: list[str]) -> argparse.Namespace:
    """Options anywhere; after ``--`` the next word is the expression, and what follows it
    is parsed as usual (``-- "-x**2" x=1 -o g.png``)."""
    parser = _parser()
    if "--" not in argv:
        return parser.parse_intermixed_args(argv)
    i = argv.index("--")
    if i + 1 >= len(argv):
        parser.error("expected an expression after '--'")
    args = parser.parse_intermixed_args(argv[:i] + [_PLACEHOLDER] + argv[i + 2 :])
    if args.expression != _PLACEHOLDER:  # an expression before '--' as well
        parser.error(f"unrecognized arguments: {argv[i + 1]}")
    args.expression = argv[i + 1]
    return args


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(sys.argv[1:] if argv is None else list(argv))
    except BrokenPipeError:
        # The reader went away (| head): stop quietly, and let nothing flush into the pipe.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str]) -> int:
    args = _parse(argv)
    for option, path in (("-o", args.output), ("--html", args.html)):
        if not path:
            continue
        try:
            if option == "-o":
                output_format(path)
            elif not path.lower().endswith((".html", ".htm")):
                raise ValueError(
                    f"the viewer is an HTML file: use a name ending in .html, got {path!r}"
                )
        except ValueError as e:
            print(f"{PROG}: error: {option}: {e}", file=sys.stderr)
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

    if args.html:  # refused before anything is printed or written
        from viz.dot import breadth_first

        size = len(breadth_first(result))
        if args.max_nodes is not None and size > args.max_nodes:
            print(
                f"{PROG}: error: argument --max-nodes: the graph has {size:,} Values, more than "
                f"--max-nodes {args.max_nodes:,}; the viewer plays whole graphs only: pass "
                f"--max-nodes {size} or --max-nodes 0 (no limit)",
                file=sys.stderr,
            )
            return 2

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
            render(result, args.output, rankdir=args.rankdir, max_nodes=args.max_nodes)
        except (GraphvizNotFoundError, ValueError, OSError, RuntimeError) as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            return 1
        print(f"wrote {args.output}")
    if args.html:
        from viz.viewer import viewer

        try:
            viewer(result, args.html, max_nodes=args.max_nodes, rankdir=args.rankdir)
        except (GraphvizNotFoundError, ValueError, OSError, RuntimeError) as e:
            print(f"{PROG}: error: {e}", file=sys.stderr)
            return 1
        print(f"wrote {args.html}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
