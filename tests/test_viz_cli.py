"""python -m viz: good expressions write their file; bad ones exit non-zero with one line."""

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from viz.__main__ import main
from viz.expr import ExpressionError, evaluate

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(*args, cwd=None):
    env = dict(os.environ, PYTHONPATH=ROOT)
    return subprocess.run(
        [sys.executable, "-m", "viz", *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
    )


def test_good_expression_writes_svg_and_explains(tmp_path):
    out = tmp_path / "graph.svg"
    r = run("tanh(w*x + b)", "w=0.5", "x=2", "b=-1", "-o", str(out), "--explain")
    assert r.returncode == 0, r.stderr
    ET.fromstring(out.read_bytes())
    # tanh(0) = 0, d/dw = x·(1 − 0²) = 2, d/dx = w = 0.5, d/db = 1
    assert "tanh(w*x + b) = 0" in r.stdout
    assert "∂/∂w = 2" in r.stdout and "∂/∂x = 0.5" in r.stdout and "∂/∂b = 1" in r.stdout
    assert "Backward pass" in r.stdout and "tanh′(t2) = 1 − tanh²(t2)" in r.stdout


def test_markdown_and_dot_output(tmp_path, capsys):
    out = tmp_path / "g.dot"
    assert main(["x**2 - 3*x", "x=1", "-o", str(out), "--explain", "--format", "markdown"]) == 0
    stdout = capsys.readouterr().out
    assert "### Backward pass" in stdout and "∂/∂x = -1" in stdout  # 2x − 3 at x = 1
    assert out.read_text(encoding="utf-8").startswith("digraph")


@pytest.mark.parametrize(
    "args,message",
    [
        (["foo(x)", "x=1"], "unknown function 'foo'"),
        (["w*q", "w=1"], "variable 'q' has no value: add q=<number> (given: w) (column 3)"),
        (["w +* 2", "w=1"], "invalid syntax"),
        (["w.real", "w=1"], "attribute access (a.b) is not supported"),
        (["w[0]", "w=1"], "subscript (a[i]) is not supported"),
        (
            [
                "(lambda: 1)()",
            ],
            "calling the result of an expression is not supported",
        ),
        (
            [
                "tanh(x=1)",
            ],
            "keyword arguments are not supported (column 6)",
        ),
        (
            [
                "'abc'",
            ],
            "string literal 'abc' is not supported",
        ),
        (["w // 2", "w=1"], "operator // is not supported"),
        (["w", "w=abc"], "the value of w must be a number, got 'abc'"),
        (["w", "1w=3"], "'1w' in '1w=3' is not a variable name"),
        (["w", "w"], "expected name=value"),
        (["w", "w=1", "w=2"], "w is given twice"),
        (["tanh(w, w)", "w=1"], "tanh() takes 1 argument, got 2"),
        (["w", "w=1", "-o", "g.jpeg"], "cannot tell the format"),
        (["-w", "w=1"], "goes after '--'"),
    ],
)
def test_bad_input_one_line_error(args, message):
    r = run(*args)
    assert r.returncode == 2
    assert r.stdout == ""
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("python -m viz: error:"), r.stderr
    assert message in lines[0]
    assert "Traceback" not in r.stderr


def test_injection_is_refused_without_running_anything(tmp_path):
    target = tmp_path / "pwned"
    for expr in (
        f"__import__('os').system('touch {target}')",
        f"exp(__import__('os').system('touch {target}'))",
        f"x.__class__.__init__.__globals__['os'].system('touch {target}')",
    ):
        r = run(expr, "x=1")
        assert r.returncode == 2 and "error" in r.stderr
    assert not target.exists()


def test_expression_starting_with_minus_after_double_dash(capsys):
    assert main(["--", "-x*2", "x=1.5"]) == 0
    assert "-x*2 = -3" in capsys.readouterr().out


def test_constant_folding_uses_engine_float_rules():
    v, leaves = evaluate("1/0 + x", {"x": 1.0})
    assert v.data == float("inf") and list(leaves) == ["x"]
    with pytest.raises(ExpressionError, match="empty"):
        evaluate("   ", {})


def test_deeply_nested_expression_is_an_error_not_a_crash():
    with pytest.raises(ExpressionError):
        evaluate("(" * 500 + "x" + ")" * 500, {"x": 1.0})
    v, _ = evaluate("-" * 150 + "x", {"x": 2.0})  # unary chains are walked iteratively
    assert v.data == 2.0


# --- options after the expression, pipes, names, limits, the viewer ---------------------------


def test_options_after_the_expression_and_after_double_dash(tmp_path, capsys):
    dot_file, html_file = tmp_path / "g.dot", tmp_path / "steps.html"
    # The README's line: '--' before an expression starting with '-', options after it.
    assert main(["--", "-x**2 + 3*x", "x=1", "-o", str(dot_file), "--html", str(html_file)]) == 0
    out = capsys.readouterr().out
    assert "-x**2 + 3*x = 2" in out and "∂/∂x = 1" in out  # -1 + 3; -2x + 3
    assert dot_file.read_text(encoding="utf-8").startswith("digraph")
    assert html_file.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert main(["--explain", "x*2", "x=1"]) == 0  # and before it
    assert "Backward pass" in capsys.readouterr().out


def test_a_closed_pipe_ends_quietly():
    expression = "+".join(f"x*{i}" for i in range(1, 300))
    env = dict(os.environ, PYTHONPATH=ROOT)
    p = subprocess.Popen(
        [sys.executable, "-m", "viz", expression, "x=2", "--explain"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=env,
    )
    assert p.stdout is not None and p.stderr is not None
    p.stdout.readline()
    p.stdout.close()  # as `| head -1` does
    stderr = p.stderr.read().decode()
    p.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr


def test_names_are_nfkc_normalised_on_both_sides(capsys):
    assert main(["𝑥*2", "𝑥=3"]) == 0  # mathematical italic x is x, as in Python
    assert "∂/∂x = 2" in capsys.readouterr().out
    assert main(["x*2", "𝑥=3", "x=4"]) == 2
    assert "x is given twice" in capsys.readouterr().err


def test_unused_variables_are_warned_about(capsys):
    assert main(["x", "x=1", "y=2"]) == 0
    assert "warning: not in the expression: y" in capsys.readouterr().err


def test_max_nodes_limits_the_drawing_and_the_viewer(tmp_path, capsys):
    small, full = tmp_path / "small.dot", tmp_path / "full.dot"
    expression = "x*1 + x*2 + x*3 + x*4"  # 12 Values
    assert main([expression, "x=1", "-o", str(small), "--max-nodes", "3"]) == 0
    assert "more nodes not drawn" in small.read_text(encoding="utf-8")
    assert main([expression, "x=1", "-o", str(full), "--max-nodes", "0"]) == 0
    assert "more nodes not drawn" not in full.read_text(encoding="utf-8")
    capsys.readouterr()
    html, drawing = tmp_path / "v.html", tmp_path / "d.svg"
    argv = [expression, "x=1", "--html", str(html), "-o", str(drawing), "--max-nodes", "3"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert "--max-nodes 3" in err and "--max-nodes 0" in err and len(err.strip().splitlines()) == 1
    # refused before anything is printed or written: one line, as any command-line error
    assert out == "" and not html.exists() and not drawing.exists()
    r = run("x", "x=1", "--max-nodes", "-2")
    assert r.returncode == 2 and "must be ≥ 0" in r.stderr
