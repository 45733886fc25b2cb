"""``python -m nn export`` and ``python -m nn predict``: a saved model put to use without writing
Python.

    python -m nn export runs/moons/model.json --to model.onnx        # ONNX (opset 20)
    python -m nn export runs/moons/model.json --to model.pt          # PyTorch state_dict
    python -m nn predict runs/moons/model.json --csv points.csv [--out preds.csv]

``--to FILE.pt`` (or ``.pth``) writes the ``state_dict`` of ``nn.to_torch(model)`` with
``torch.save``: plain tensors, which ``torch.load(FILE, weights_only=True)`` reads safely, into
the Sequential that ``nn.to_torch(nn.load_model(MODEL))`` builds (or one written out by hand).

``predict`` reads numbers from a CSV file (a header row is optional; with one, a model that
knows its feature names takes those columns by name), applies the model's standardisation if
it has one, and writes a CSV with one row per input: the model's outputs (``score``, or
``score_0`` .. ``score_k-1``) and the predicted ``class`` (for one output: 1 if the score is
above 0, else 0; for several, the index of the largest; the class name when the model has
them). Errors are one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import csv
import io
import math
import os
import sys
from collections.abc import Sequence

from autograd import no_grad
from nn.export._common import classes_of, import_torch, preprocessing_of, write_atomically
from nn.module import Module
from nn.serialization import load_model

COMMANDS = ("export", "predict")


class CommandError(ValueError):
    """A problem with the command's input, reported as one line."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, not the usage block
        self.exit(2, f"{self.prog}: error: {message} (see --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="python -m nn", description="Use a saved chaingrad model.")
    commands = parser.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export",
        help="write a saved model as ONNX or as a PyTorch state_dict",
        description="Write a saved model as an ONNX file (.onnx) or as the state_dict of "
        "nn.to_torch(model) (.pt or .pth; read it with torch.load(FILE, weights_only=True)).",
    )
    export.add_argument("model", help="a model file written by python -m nn or Module.save")
    export.add_argument("--to", required=True, metavar="FILE", help="FILE.onnx, FILE.pt or .pth")
    export.add_argument(
        "--dtype",
        choices=["float64", "float32"],
        default="float64",
        help="the precision of the weights and the computation (default: %(default)s)",
    )
    predict = commands.add_parser(
        "predict",
        help="predict the class of every row of a CSV file",
        description="Write the model's outputs and predicted class for every row of a CSV "
        "file of numbers (an optional header row names the columns).",
    )
    predict.add_argument("model", help="a model file written by python -m nn or Module.save")
    predict.add_argument("--csv", required=True, metavar="FILE", help="the input points")
    predict.add_argument(
        "--out", default=None, metavar="FILE", help="the output CSV (default: standard output)"
    )
    return parser


def export(model: Module, path: str, dtype: str) -> str:
    """Write ``model`` to ``path`` (.onnx, .pt or .pth); returns what was written."""
    extension = os.path.splitext(path)[1].lower()
    if extension == ".onnx":
        from nn.export.onnx_export import OPSET, export_onnx

        export_onnx(model, path, dtype=dtype)
        return f"{path} (ONNX, opset {OPSET}, {dtype})"
    if extension in (".pt", ".pth"):
        from nn.export.pytorch import to_torch

        torch = import_torch("python -m nn export --to FILE.pt")
        sequential = to_torch(model, dtype=getattr(torch, dtype))
        buffer = io.BytesIO()
        torch.save(sequential.state_dict(), buffer)
        write_atomically(path, buffer.getvalue())
        layers = ", ".join(type(m).__name__ for m in sequential)
        return f"{path} (the state_dict of Sequential({layers}), {dtype})"
    raise CommandError(f"--to: the file must end in .onnx, .pt or .pth, got {path!r}")


def read_points(path: str, model: Module) -> list[list[float]]:
    """The rows of the CSV file ``path`` as model inputs (see the module docstring)."""
    nin = model.nin  # type: ignore[attr-defined]
    pre = getattr(model, "preprocessing", None)
    features = pre.get("features") if isinstance(pre, dict) else None
    try:
        with open(path, encoding="utf-8", newline="") as f:
            rows = [
                (n, row) for n, row in enumerate(csv.reader(f), 1) if any(c.strip() for c in row)
            ]
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise CommandError(f"cannot read {path!r}: {getattr(e, 'strerror', None) or e}") from None
    if not rows:
        raise CommandError(f"{path}: no rows")
    # The messages are worded as training's (nn/csv_data.py): path:line: column: what.
    columns = list(range(nin))
    names = [str(i + 1) for i in range(nin)]
    width, against = nin, f"the model takes {nin} inputs"
    if not all(_is_number(c) for c in rows[0][1]):
        line, header = rows[0][0], [c.strip() for c in rows[0][1]]
        rows = rows[1:]
        width, against = len(header), f"the header has {len(header)} columns"
        if features and all(f in header for f in features):
            columns, names = [header.index(f) for f in features], [repr(f) for f in features]
        elif features:
            missing = ", ".join(repr(f) for f in features if f not in header)
            raise CommandError(f"{path}:{line}: no column {missing} (the model's features)")
        else:
            names = [repr(h) for h in header]
            if len(header) != nin:
                raise CommandError(
                    f"{path}:{line}: {len(header)} columns, but the model takes {nin} inputs"
                )
    points = []
    for n, row in rows:
        if len(row) != width:
            fields = f"{len(row)} field{'s' if len(row) != 1 else ''}"
            raise CommandError(f"{path}:{n}: {fields}, but {against}")
        point = []
        for column, name in zip(columns, names):
            text = row[column].strip()
            if not _is_number(text):
                what = f"{text[:40]!r}" if text else "an empty field"
                raise CommandError(
                    f"{path}:{n}: column {name}: {what} is not a number "
                    "(the model's inputs must be numeric)"
                )
            if not math.isfinite(float(text)):
                raise CommandError(f"{path}:{n}: column {name}: {text!r} is not finite")
            point.append(float(text))
        points.append(point)
    return points


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def predict_rows(model: Module, points: Sequence[Sequence[float]]) -> tuple[list[str], list]:
    """The header and rows of ``predict``'s output CSV."""
    nin = model.nin  # type: ignore[attr-defined]
    pre = preprocessing_of(model, nin, "predict")
    rows = []
    with no_grad():
        for x in points:
            if pre is not None:
                x = [(v - m) / s for v, m, s in zip(x, pre["mean"], pre["std"])]
            out = model(x)
            scores = [v.data for v in out] if isinstance(out, list) else [out.data]
            index = (
                int(scores[0] > 0)
                if len(scores) == 1
                else max(range(len(scores)), key=scores.__getitem__)
            )
            rows.append([repr(s) for s in scores] + [index])
    nout = len(rows[0]) - 1 if rows else 1
    classes = classes_of(model, nout, "predict")
    if classes is not None:
        for row in rows:
            row[-1] = classes[int(row[-1])]
    scores_header = ["score"] if nout == 1 else [f"score_{i}" for i in range(nout)]
    return scores_header + ["class"], rows


def main(argv: Sequence[str]) -> int:
    """Run ``export`` or ``predict`` with the command-line arguments ``argv``."""
    args = build_parser().parse_args(list(argv))
    try:
        model = load_model(args.model)
        if args.command == "export":
            print(f"wrote {export(model, args.to, args.dtype)}")
            return 0
        header, rows = predict_rows(model, read_points(args.csv, model))
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)
        if args.out is None:
            sys.stdout.write(text.getvalue())
        else:
            write_atomically(args.out, text.getvalue().encode("utf-8"))
            print(f"wrote {args.out} ({len(rows)} predictions)")
    except (ImportError, OSError, TypeError, ValueError) as e:
        message = " ".join(str(e).split())
        print(f"python -m nn {args.command}: error: {message}", file=sys.stderr)
        return 2
    return 0
