"""`python -m nn` on real data and many classes: the floors of the bundled data sets, checked
by reloading the saved model; --classes; divergence, --target-loss and the program's name."""

import json
import re
import sys

import pytest

import nn
from nn.__main__ import main

FLOORS = {"digits": 0.95, "iris": 0.93, "wine": 0.95, "breast_cancer": 0.95}


@pytest.mark.parametrize("name", ["iris", "wine", "breast_cancer", "digits"])
def test_each_real_data_set_meets_its_floor_with_the_defaults(name, tmp_path, capsys):
    out = tmp_path / name
    assert main(["--dataset", name, "--out", str(out), "--no-progress"]) == 0
    stdout = capsys.readouterr().out
    printed = float(re.search(r"test accuracy:\s+([\d.]+)%", stdout).group(1)) / 100
    # Independently of the job: the saved model on the held-out quarter (seed 0) of the
    # bundled file, prepared with the statistics saved in the model.
    data = nn.load_dataset(name)
    X_train, X_test, _, y_test = nn.train_test_split(data.X, data.y, 0.25, seed=0)
    model = nn.load_model(out / "model.json")
    assert model.classes == data.classes
    assert model.preprocessing == nn.fit_standardize(X_train, data.features)
    ready = nn.apply_preprocessing(model.preprocessing, X_test)
    right = sum(nn.predict(model, x) == t for x, t in zip(ready, y_test)) / len(y_test)
    assert right == pytest.approx(printed, abs=0.0005)
    assert right >= FLOORS[name]
    assert (out / "confusion_matrix.png").read_bytes()[:4] == b"\x89PNG"
    assert not (out / "decision_boundary.png").exists()
    history = json.loads((out / "history.json").read_text())
    assert history["test_accuracy"][-1] == pytest.approx(right)
    expected_loss = "cross_entropy" if len(data.classes) > 2 else "bce"
    assert f"loss {expected_loss}" in stdout


def test_blobs_with_three_classes_draws_three_decision_regions(tmp_path, capsys):
    out = tmp_path / "b"
    argv = ["--dataset", "blobs", "--classes", "3", "--epochs", "5", "--samples", "90"]
    assert main([*argv, "--hidden", "4", "--out", str(out), "--no-progress"]) == 0
    stdout = capsys.readouterr().out
    assert "MLP(2, [4, 3], activation='tanh') on blobs" in stdout and "cross_entropy" in stdout
    assert (out / "decision_boundary.png").read_bytes()[:4] == b"\x89PNG"
    assert nn.load_model(out / "model.json").nouts == [4, 3]


@pytest.mark.parametrize(
    "argv, message",
    [
        (
            ["--dataset", "iris", "--loss", "bce"],
            "argument --loss: bce separates two classes, "
            "but the data has 3; use --loss cross_entropy",
        ),  # fmt: skip
        (["--classes", "3"], "argument --classes: only for --dataset blobs"),
        (["--dataset", "blobs", "--classes", "1"], "at least 2 classes"),
        (["--dataset", "digits", "--noise", "0.2"], "argument --noise: only for the generated"),
    ],
)
def test_misuse_of_the_data_options_is_one_line(argv, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main([*argv, "--out", str(tmp_path / "r")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and message in err and "--help" in err
    assert not (tmp_path / "r").exists()


def test_divergence_writes_the_history_and_exits_non_zero(tmp_path, capsys):
    out = tmp_path / "d"
    argv = ["--lr", "1000", "--optimizer", "sgd", "--loss", "mse", "--epochs", "3"]
    assert main([*argv, "--out", str(out), "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert re.search(
        r"^python -m nn: error: training diverged at epoch \d \(loss = (inf|nan)\); "
        r"try a smaller --lr$",
        captured.err,
        re.M,
    )
    assert "error while writing" not in captured.err
    assert (out / "loss.png").is_file() and (out / "history.json").is_file()
    assert not (out / "model.json").exists()


def test_divergence_in_the_first_epoch_still_writes_a_loss_plot(tmp_path, capsys):
    out = tmp_path / "d1"
    argv = ["--lr", "1e100", "--optimizer", "sgd", "--loss", "mse", "--epochs", "3"]
    assert main([*argv, "--out", str(out), "--no-progress"]) == 1
    assert "diverged at epoch 1 " in capsys.readouterr().err
    assert json.loads((out / "history.json").read_text())["loss"] == []
    assert (out / "loss.png").stat().st_size > 5000


def test_target_loss_reports_when_and_why_training_ended(tmp_path, capsys):
    argv = ["--target-loss", "0.3", "--samples", "90", "--out", str(tmp_path / "t")]
    assert main([*argv, "--no-progress"]) == 0
    stdout = capsys.readouterr().out
    assert "up to 50 epochs (or until the loss is ≤ 0.3)" in stdout
    match = re.search(r"stopped after epoch (\d+) of 50: the training loss ([\d.]+) reached "
                      r"--target-loss 0.3", stdout)  # fmt: skip
    assert match and float(match.group(2)) <= 0.3
    history = json.loads((tmp_path / "t" / "history.json").read_text())
    assert len(history["loss"]) == int(match.group(1))


def test_the_console_scripts_name_themselves(monkeypatch, capsys):
    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/chaingrad-train", "--lr", "0"])
    with pytest.raises(SystemExit):
        main()
    assert capsys.readouterr().err.startswith("chaingrad-train: error: argument --lr")

    import importlib

    import viz.__main__

    monkeypatch.setattr(sys, "argv", ["/usr/local/bin/chaingrad-viz", "foo(x)", "x=1"])
    module = importlib.reload(viz.__main__)
    try:
        assert module.main(["foo(x)", "x=1"]) == 2
        assert capsys.readouterr().err.startswith("chaingrad-viz: error: unknown function")
    finally:
        monkeypatch.setattr(sys, "argv", ["pytest"])
        importlib.reload(viz.__main__)
