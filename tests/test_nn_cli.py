"""The main job's command line: an end-to-end run, --help, and one-line errors for bad options."""

import json
import os
import subprocess
import sys

import pytest

from nn import load_model
from nn.__main__ import FILES, main

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_command(*args, cwd=ROOT):
    # PYTHONPATH lets the command run from any folder without the package being installed.
    env = dict(
        os.environ,
        PYTHONPATH=os.pathsep.join(
            [ROOT] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        ),
    )
    return subprocess.run(
        [sys.executable, "-m", "nn", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_python_m_nn_runs_end_to_end(tmp_path):
    out = tmp_path / "run"
    done = run_command(
        "--epochs",
        "2",
        "--samples",
        "60",
        "--hidden",
        "4",
        "--dataset",
        "circles",
        "--loss",
        "hinge",
        "--optimizer",
        "sgd",
        "--lr",
        "0.05",
        "--batch-size",
        "8",
        "--seed",
        "3",
        "--out",
        str(out),
        "--no-progress",
    )
    assert done.returncode == 0, done.stderr
    assert "train accuracy:" in done.stdout and "test accuracy:" in done.stdout
    assert "MLP(2, [4, 1], activation='tanh') on circles (40 train / 20 test" in done.stdout
    written = FILES if _have_viz() else ("model.json", "history.json")
    for name in written:
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    assert repr(load_model(out / "model.json")) == "MLP(2, [4, 1], activation='tanh')"
    assert len(json.loads((out / "history.json").read_text())["loss"]) == 2


def _have_viz():
    try:
        import viz  # noqa: F401
    except ImportError:
        return False
    return True


def test_name_chooses_the_folder_under_runs(tmp_path):
    done = run_command(
        "--epochs",
        "1",
        "--samples",
        "30",
        "--hidden",
        "2",
        "--name",
        "tiny",
        "--no-progress",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "runs" / "tiny" / "model.json").is_file()


def test_help_explains_every_option(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for option in (
        "--dataset",
        "--samples",
        "--noise",
        "--hidden",
        "--activation",
        "--loss",
        "--optimizer",
        "--lr",
        "--epochs",
        "--batch-size",
        "--seed",
        "--name",
        "--out",
        "--no-progress",
        "--target-loss",
    ):
        assert option in text, option
    assert "decision_boundary.png" in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--lr", "0"], "argument --lr: must be > 0, got 0"),
        (["--lr", "fast"], "argument --lr: expected a number, got 'fast'"),
        (["--lr", "nan"], "argument --lr: must be > 0, got nan"),
        (["--epochs", "0"], "argument --epochs: must be ≥ 1, got 0"),
        (["--epochs", "1.5"], "argument --epochs: expected a positive integer, got '1.5'"),
        (["--batch-size", "-4"], "argument --batch-size: must be ≥ 1, got -4"),
        (["--hidden", "16,-1"], "argument --hidden: expected comma-separated positive integers"),
        (["--hidden", "16,0"], "argument --hidden: expected comma-separated positive integers"),
        (["--hidden", ""], "argument --hidden: expected comma-separated positive integers"),
        (["--noise", "-0.1"], "argument --noise: must be ≥ 0, got -0.1"),
        (["--dataset", "mnist"], "argument --dataset: invalid choice: 'mnist'"),
        (["--loss", "l1"], "argument --loss: invalid choice: 'l1'"),
        (["--optimizer", "rmsprop"], "argument --optimizer: invalid choice: 'rmsprop'"),
        (["--activation", "swish"], "argument --activation: invalid choice: 'swish'"),
        (["--samples", "2"], "argument --samples: need at least 3 points"),
        (["--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_bad_options_give_a_one_line_error(argv, message, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    last = err.strip().splitlines()[-1]
    assert last.startswith("python -m nn: error: ") and message in last
    assert "Traceback" not in err


def test_a_bad_option_exits_without_traceback_from_the_shell(tmp_path):
    done = run_command("--epochs", "-3", cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    # One line, no usage dump: the error and where to look.
    assert done.stderr == (
        "python -m nn: error: argument --epochs: must be ≥ 1, got -3 (see python -m nn --help)\n"
    )
    assert not (tmp_path / "runs").exists()  # nothing was written


def test_an_unwritable_output_folder_is_a_one_line_error(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("")
    with pytest.raises(SystemExit) as exit_info:
        main(["--out", str(blocker / "run"), "--epochs", "1"])
    assert exit_info.value.code == 2
    assert "cannot create the output folder" in capsys.readouterr().err


def test_without_graphviz_the_main_job_still_succeeds_and_writes_dot_source(tmp_path):
    out = tmp_path / "run"
    empty_bin = tmp_path / "bin"  # a PATH on which there is no `dot` program
    empty_bin.mkdir()
    env = dict(os.environ, PATH=str(empty_bin), PYTHONPATH=ROOT)
    done = subprocess.run(
        [sys.executable, "-m", "nn", "--epochs", "1", "--samples", "30", "--hidden", "3",
         "--out", str(out), "--no-progress"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "graphviz" in done.stderr.lower()
    assert not (out / "neuron_graph.svg").exists()
    source = (out / "neuron_graph.dot").read_text(encoding="utf-8")
    assert source.startswith("digraph") and "grad" in source
    for name in ("model.json", "loss.png", "decision_boundary.png"):
        assert (out / name).stat().st_size > 0
