"""This project's tapes (``autograd.tape``): one sample's step recorded once with ``nn.MLP``,
then replayed for every point — in plain Python (``chaingrad-tape``, bit for bit the
engine's numbers) or over numpy arrays, the batch at once (``chaingrad-batched``).

deep-chain (plain replay only): the chain is recorded in the first (warm-up) trial and the
counted trials replay it, forward ("build") and reverse ("backward"). A tape pays off when
replayed, and that is what is timed; the cost of recording is measured by the ``tape-record``
workload against building the same graph. wide-sum builds one graph once: not applicable.
"""

from __future__ import annotations

from time import perf_counter as clock

from bench.engines.base import Engine, MLPSpec, Unsupported


class _Tape(Engine):
    batched = False

    def load(self) -> str:
        global autograd, record
        import autograd
        from autograd.tape import record

        if self.batched:
            import numpy

            return f"working tree; numpy {numpy.__version__}"
        return "working tree"

    def _model(self, spec: MLPSpec):
        from nn import MLP

        model = MLP(spec.sizes[0], list(spec.sizes[1:]), activation=spec.activation, seed=0)
        params = model.parameters()
        for p, w in zip(params, spec.weights):
            p.data = w

        def sample(a, b, y):
            d = model([a, b]) - y
            return d * d

        return record(sample, [0.0, 0.0, 0.0]), params

    def mlp_trainer(self, spec: MLPSpec):
        if len(spec.sizes) < 1 or spec.sizes[0] != 2:
            raise Unsupported("the recorded step takes 2 inputs")
        tape, params = self._model(spec)
        rows = [[*x, y] for x, y in zip(spec.xs, spec.ys)]
        lr, scale = spec.lr, 1.0 / len(rows)
        seeds = [scale] * len(rows)
        if self.batched:
            import numpy as np

            batched, data = tape.batched(), np.array(rows)

            def step() -> float:
                batch = batched.forward(data)
                loss = float(batch.outputs[:, 0].sum()) * scale
                for p in params:
                    p.grad = 0.0
                batched.backward(batch, scale)
                for p in params:
                    p.data -= lr * p.grad
                return loss

            return step
        out = tape.outputs[0]

        def step() -> float:
            traces = tape.forward_many(rows)
            loss = sum([t[out] for t in traces]) * scale
            for p in params:
                p.grad = 0.0
            tape.backward_many(traces, seeds)
            for p in params:
                p.data -= lr * p.grad
            return loss

        return step

    # --- deep-chain: replayed -----------------------------------------------------------------
    def chain(self, x0: float, n: int, variant: str):
        if self.batched:
            raise Unsupported("a chain of scalar steps has nothing to batch")
        key = (n, variant)
        tapes = self.__dict__.setdefault("_tapes", {})
        if key not in tapes:
            tapes[key] = record_chain(n, variant)
        tape = tapes[key]
        handle = _Replay(tape, tape.forward([x0]))
        return handle, handle

    def backward(self, root) -> None:
        root.grads = root.tape.backward(root.values)

    def grad(self, leaf) -> float:
        return leaf.grads[0]

    def leaf(self, x):
        raise Unsupported("wide-sum and per-op build a graph once: nothing to replay")

    def record_cost(self, n: int, variant: str) -> dict:
        """tape-record: building the chain's graph, against recording it as a tape (which
        builds it too), and the tape's size per operation."""
        if self.batched:
            raise Unsupported("the same tape as chaingrad-tape")
        from autograd import Value

        # Both include freeing the graph: record frees the one it builds before it returns.
        start = clock()
        y = _build(Value(0.5), n, variant)
        del y
        freed = clock()
        tape = record(lambda x: _build(x, n, variant), [Value(0.5)])
        recorded = clock()
        return {
            "forward_s": freed - start,
            "record_s": recorded - freed,
            "record_over_forward": (recorded - freed) / (freed - start),
            "tape_bytes_per_node": tape.nbytes() / len(tape),
            "nodes": len(tape),
        }


def record_chain(n: int, variant: str):
    """The deep-chain workload's graph as a tape (the same operations as Engine.chain)."""
    from autograd import Value

    return record(lambda x: _build(x, n, variant), [Value(0.5)])


def _build(x, n: int, variant: str):
    # Engine.chain's steps, on the leaf the tape records.
    y = x
    if variant == "mul-add":
        for _ in range(n):
            y = y * 1.0001 + 0.001
    else:
        for _ in range(n):
            y = (y * 0.5).tanh() * 2.0
    return y


class _Replay:
    __slots__ = ("tape", "values", "grads")

    def __init__(self, tape, values):
        self.tape, self.values, self.grads = tape, values, None


class ChaingradTape(_Tape):
    name = "chaingrad-tape"
    description = "this project's tape, replayed in plain Python"


class ChaingradBatched(_Tape):
    name = "chaingrad-batched"
    description = "this project's tape, replayed over numpy arrays (the batch at once)"
    batched = True


ENGINE = ChaingradTape()
