"""Run the plan: every case on every engine, alternating engines trial by trial.

For one case the order is A B C … A B C …: the first round is a warm-up, the next
``repeats`` rounds are counted. Alternating spreads any drift of the machine (another
process, thermal throttling) over all engines instead of charging it to one.

Each engine lives in a worker process (``bench/worker.py``). A trial that raises is
recorded as failed with the exception text and not repeated; a worker that dies is reported
the same way and restarted for the next case. An engine that fails a workload at some N is not
run at larger N of that workload (with the same variant and collector setting).
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable

from bench import engines
from bench.plan import Case

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TRIAL_TIMEOUT_S = 600


class Worker:
    """One engine's process; ``ask`` sends a trial and waits for the answer."""

    def __init__(self, engine: str):
        self.engine = engine
        self.stderr = tempfile.TemporaryFile(mode="w+")
        env = dict(
            os.environ,
            PYTHONPATH=os.pathsep.join(p for p in (ROOT, os.environ.get("PYTHONPATH")) if p),
        )
        self.process = subprocess.Popen(
            [sys.executable, "-m", "bench.worker", engine],
            cwd=ROOT,
            env=env,
            text=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self.stderr,
        )
        self._hello: dict | None = None

    @property
    def hello(self) -> dict:
        """The worker's first message: {"ready": version} or {"unavailable": why}. Read on
        first use, so that several workers can start (import their engines) at once."""
        if self._hello is None:
            self._hello = self._read(timeout=120)
        return self._hello

    def ask(self, trial: str, params: dict) -> dict:
        try:
            self.process.stdin.write(json.dumps({"trial": trial, "params": params}) + "\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            return self._died()
        return self._read(TRIAL_TIMEOUT_S)

    def _read(self, timeout: float) -> dict:
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if not ready:
            self.process.kill()
            self.process.wait()
            return {"error": f"timed out after {timeout:.0f} s"}
        line = self.process.stdout.readline()
        return json.loads(line) if line else self._died()

    def _died(self) -> dict:
        code = self.process.wait()
        self.stderr.seek(0)
        tail = self.stderr.read().strip().splitlines()[-1:] or [""]
        return {"error": f"worker died (exit code {code}) {tail[0]}".strip()[:300]}

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive:
            self.process.stdin.close()
            self.process.wait()
        self.stderr.close()


class Pool:
    """One live worker per engine, started together so that the run knows which engines are
    installed before it begins (``info``)."""

    def __init__(self, names: list[str]):
        self.workers: dict[str, Worker] = {name: Worker(name) for name in names}
        self.info: dict[str, dict] = {}
        for name, worker in self.workers.items():
            info = {"description": engines.get(name).description}
            if "ready" in worker.hello:
                info.update(available=True, version=worker.hello["ready"])
            else:
                info.update(
                    available=False,
                    note=worker.hello.get("unavailable") or worker.hello.get("error", "?"),
                )
            self.info[name] = info

    def get(self, name: str) -> Worker:
        if not self.workers[name].alive:  # died or timed out during an earlier case
            self.workers[name].close()
            self.workers[name] = Worker(name)
        return self.workers[name]

    def close(self) -> None:
        for worker in self.workers.values():
            worker.close()


def _family(case: Case) -> tuple:
    """Cases that differ only in N: a failure at one N skips the larger ones."""
    return (case.workload,) + tuple(sorted((k, v) for k, v in case.params.items() if k != "n"))


def run(
    cases: list[Case],
    pool: Pool,
    warmup: int = 1,
    repeats: int = 5,
    no_limits: bool = False,
    log: Callable[[str], None] = print,
) -> list[dict]:
    """One record per (case, available engine): status ok / failed / n/a / skipped, the raw
    trials (warm-up kept apart) and a note."""
    names = [name for name, info in pool.info.items() if info["available"]]
    failed_at: dict[tuple, str] = {}  # (engine, family) -> "not run: failed at N=…"
    records = []
    for number, case in enumerate(cases, 1):
        start = time.perf_counter()
        records += _run_case(case, names, pool, failed_at, warmup, repeats, no_limits)
        log(
            f"[{number}/{len(cases)}] {case.workload} "
            f"{' '.join(f'{k}={v}' for k, v in case.params.items())} "
            f"({time.perf_counter() - start:.1f} s)"
        )
    return records


def _run_case(case, names, pool, failed_at, warmup, repeats, no_limits) -> list[dict]:
    records = {
        name: {
            "workload": case.workload,
            "params": case.params,
            "engine": name,
            "status": "ok",
            "trials": [],
            "warmup": [],
            "note": "",
        }
        for name in names
    }
    active = []
    for name in names:
        limit = engines.get(name).limits.get(case.workload.replace("-memory", ""))
        skip = failed_at.get((name, _family(case)))
        if skip:
            records[name].update(status="skipped", note=skip)
        elif (
            limit and not no_limits and not case.fresh_process and case.params.get("n", 0) > limit
        ):  # a single (memory) measurement is cheap
            records[name].update(
                status="skipped",
                note=f"N > {limit:,}, this engine's default limit (--no-limits runs it)",
            )
        else:
            active.append(name)

    rounds = 1 if case.fresh_process else warmup + repeats
    for round_number in range(rounds):
        for name in list(active):
            worker = Worker(name) if case.fresh_process else pool.get(name)
            reply = (
                worker.ask(case.workload, case.params)
                if "ready" in worker.hello
                else {"error": f"worker did not start: {worker.hello}"}
            )
            if case.fresh_process:
                worker.close()
            record = records[name]
            if "result" in reply:
                counted = case.fresh_process or round_number >= warmup
                record["trials" if counted else "warmup"].append(reply["result"])
                continue
            active.remove(name)
            if "unsupported" in reply:
                record.update(status="n/a", note=reply["unsupported"])
            else:
                record.update(status="failed", note=reply["error"])
                if "n" in case.params:
                    failed_at[(name, _family(case))] = f"not run: failed at N={case.params['n']:,}"
    return list(records.values())
