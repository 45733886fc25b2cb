"""Smoke test of the benchmark suite: ``python -m bench --quick`` runs end to end and writes
its JSON with the promised structure. It checks no speed (timings are never asserted), only
that every workload ran, every engine is accounted for, and the results were checked."""

import json
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench") / "quick.json"
    env = dict(os.environ, PYTHONPATH=ROOT)
    proc = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--repeats", "1", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    return proc.stdout, json.loads(out.read_text())


def test_json_has_meta_engines_records_checks_and_floors(quick_run):
    _, result = quick_run
    assert set(result) >= {"meta", "engines", "records", "loss_checks", "floors"}
    meta = result["meta"]
    assert meta["quick"] is True and meta["repeats"] == 1 and meta["machine"]["cores"] >= 1
    assert result["engines"]["chaingrad"]["available"]
    assert result["engines"]["floor"]["available"]
    for info in result["engines"].values():
        assert info["available"] or info["note"]  # a missing engine is skipped with a note


def test_every_workload_ran_on_chaingrad_and_was_correct(quick_run):
    _, result = quick_run
    ours = [r for r in result["records"] if r["engine"] == "chaingrad" and r["status"] != "n/a"]
    assert {r["workload"] for r in ours} == {
        "mlp-train",
        "deep-chain",
        "wide-sum",
        "wide-sum-memory",
        "per-op",
    }
    for r in ours:
        assert r["status"] == "ok", (r["workload"], r["params"], r["note"])
        assert len(r["trials"]) == 1 and len(r["warmup"]) == 1
        assert all(isinstance(v, (int, float)) for k, v in r["median"].items())
        assert r["median"].get("correct", True) is True, (r["workload"], r["params"])


def test_tape_engines_ran_and_recorded(quick_run):
    _, result = quick_run
    ran = {
        (r["engine"], r["workload"])
        for r in result["records"]
        if r["engine"].startswith("chaingrad-") and r["status"] == "ok"
    }
    assert ran >= {
        ("chaingrad-tape", "mlp-train"),
        ("chaingrad-tape", "deep-chain"),
        ("chaingrad-tape", "tape-record"),
        ("chaingrad-batched", "mlp-train"),
    }
    for r in result["records"]:
        if r["engine"] == "chaingrad-tape" and r["workload"] == "deep-chain":
            assert r["median"]["correct"] is True


def test_statuses_are_explained(quick_run):
    _, result = quick_run
    for r in result["records"]:
        assert r["status"] in {"ok", "failed", "n/a", "skipped"}
        if r["status"] != "ok":
            assert r["note"] and not r["trials"]


def test_loss_trajectories_agree_across_engines(quick_run):
    _, result = quick_run
    checks = result["loss_checks"]
    assert {c["engine"] for c in checks} >= {"chaingrad", "floor"}
    for c in checks:
        assert c["agrees"], c


@pytest.mark.skipif(
    not __import__("importlib").util.find_spec("micrograd"), reason="micrograd not installed"
)
def test_micrograd_recursion_error_is_reported_not_fatal(quick_run):
    _, result = quick_run
    chain = [
        r
        for r in result["records"]
        if r["engine"] == "micrograd"
        and r["workload"] == "deep-chain"
        and r["params"]["variant"] == "mul-add"
    ]
    assert chain and all(r["status"] in ("failed", "skipped") for r in chain)
    assert any("RecursionError" in r["note"] for r in chain)


def test_printed_report_has_every_section_and_the_floors(quick_run):
    text, result = quick_run
    for title in ("mlp-train", "deep-chain", "wide-sum", "per-op", "floors"):
        assert f"### {title}" in text
    assert len(result["floors"]) == 10
    for floor in result["floors"]:
        assert floor["met"] in (True, False) and floor["measured"] is not None
        assert ("MET" if floor["met"] else "MISSED") in text
