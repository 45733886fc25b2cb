"""The process that runs one engine's trials: ``python -m bench.worker ENGINE``.

Each engine runs in its own process so that one engine's crash, recursion limit or leftover
garbage cannot touch another's measurements, and so that a fresh process can measure memory.
The protocol is one JSON object per line: the runner writes ``{"trial": name, "params":
{...}}`` on stdin; the worker answers on stdout with ``{"result": {...}}``, ``{"error":
"RecursionError: ..."}`` or ``{"unsupported": "why"}``. On start it says ``{"ready":
version}`` or ``{"unavailable": "why"}``. Anything the engine prints goes to stderr.
"""

from __future__ import annotations

import gc
import json
import sys
import traceback


def serve(engine_name: str, requests, replies) -> None:
    from bench.engines import Unsupported, get
    from bench.workloads import TRIALS

    def answer(message: dict) -> None:
        replies.write(json.dumps(message) + "\n")
        replies.flush()

    engine = get(engine_name)
    try:
        version = engine.load()
    except ImportError as e:
        answer({"unavailable": f"not installed ({e})"})
        return
    # Move the objects that exist now (the modules: PyTorch's are many) out of the collector's
    # sight, so the collections between trials take milliseconds, not a tenth of a second.
    # Every object a trial creates is collected as usual.
    gc.collect()
    gc.freeze()
    answer({"ready": version})
    for line in requests:
        request = json.loads(line)
        params = request["params"]
        gc.collect()  # start every trial from the same clean heap
        if params.get("gc", True):
            gc.enable()
        else:
            gc.disable()
        try:
            answer({"result": TRIALS[request["trial"]](engine, params)})
        except Unsupported as e:
            answer({"unsupported": str(e)})
        except Exception as e:  # a failure is a result to report: RecursionError, MemoryError…
            text = f"{type(e).__name__}: {e}"
            del e  # the traceback holds the failed graph: let it go before collecting
            answer({"error": text[:300]})
        finally:
            gc.enable()
            gc.collect()


def main() -> None:
    replies = sys.stdout
    sys.stdout = sys.stderr  # keep stdout for the protocol
    try:
        serve(sys.argv[1], sys.stdin, replies)
    except Exception:
        traceback.print_exc()
        raise SystemExit(1) from None


if __name__ == "__main__":
    main()
