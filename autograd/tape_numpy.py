"""Batched replay of a tape over numpy arrays: one traced scalar program, a whole batch at once.

As JAX's ``vmap`` runs a traced function over a batch, ``BatchedTape`` runs a tape with
every slot holding a vector over the batch (parameters and constants stay scalars and
broadcast). Each primitive's array form (``array_form`` in ``autograd/primitives.py``) gives
its forward and its vjp on arrays. A layer (``tape_layers.LinearGroup``: linear nodes reading
the same inputs) becomes one matrix product, Z = X·Wᵀ + b, and its reverse two, ∂L/∂X = G·W
and ∂L/∂W = Gᵀ·X (summed over the batch by the product); its activation is one call on the
whole block. Results agree with the engine's to rounding (about 1e-15 relative: sums are
taken in another order). Parameters' gradients are summed over the batch into ``.grad``.

A primitive without an array form runs sample by sample: its float ``forward`` and ``vjp``
from the table, called on each element in Python (one warning names it). Slower for those
nodes, never wrong; adding ``array_form=`` to its entry makes it fast.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

from autograd.tape_layers import LinearGroup, MapGroup, Single, schedule


class Batch:
    """One batched forward pass: ``outputs`` is an array (batch, number of outputs)."""

    def __init__(self, values: list, blocks: dict, size: int, outputs: Any):
        self.values = values
        self.blocks = blocks
        self.size = size
        self.outputs = outputs


class BatchedTape:
    """A tape's forward and reverse passes over a batch (build with ``tape.batched()``)."""

    def __init__(self, tape):
        import numpy as np

        self.np = np
        self.tape = tape
        missing = sorted({p.name for p in tape.primitives if p.array_form is None})
        self.fallback = (
            f"primitive{'s' if len(missing) > 1 else ''} {', '.join(missing)} "
            f"{'have' if len(missing) > 1 else 'has'} no array form (array_form in "
            f"autograd/primitives.py): {'their' if len(missing) > 1 else 'its'} nodes run "
            f"sample by sample in plain Python"
            if missing
            else ""
        )
        if self.fallback:
            warnings.warn(f"BatchedTape: {self.fallback}", RuntimeWarning, stacklevel=2)
        self.forms = {}
        for p in tape.primitives:
            if p.array_form is None:
                self.forms[id(p)] = _elementwise(p, np)
                continue
            forward, vjp = p.array_form(np)
            self.forms[id(p)] = (forward, vjp if vjp is not None else p.vjp)
        self.needs = tape.needs_grad()
        self._reachable: dict[int, list[bool]] = {}
        self.units = schedule(tape, self.needs)
        n_in = tape.n_inputs
        self.layer_params = [
            (
                np.array([[s - n_in for s in w] for w in u.weights], dtype=np.intp),
                np.array([b - n_in for b in u.biases], dtype=np.intp),
            )
            for u in self.units
            if isinstance(u, LinearGroup)
        ]

    # --- forward -----------------------------------------------------------------------------
    def forward(self, inputs) -> Batch:
        """Run the tape on ``inputs``, an array (batch, n_inputs). Raises ``ValueError`` for a
        wrong shape, ``TapeMismatchError`` naming the first sample that takes a branch the
        recording did not."""
        np, tape = self.np, self.tape
        X = np.asarray(inputs, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != tape.n_inputs:
            raise ValueError(
                f"BatchedTape.forward: inputs must have shape (batch, {tape.n_inputs}) for "
                f"this tape's inputs ({', '.join(tape.input_names)}), got {X.shape}"
            )
        params = np.array([p.data for p in tape.parameters], dtype=np.float64)
        values: list = list(X.T) + params.tolist() + list(tape.constants)
        values += [None] * len(tape)
        blocks: dict[tuple, Any] = {tuple(range(tape.n_inputs)): X}
        first = tape.first_op_slot
        layer = 0
        with np.errstate(all="ignore"):
            for unit in self.units:
                if isinstance(unit, LinearGroup):
                    w_index, b_index = self.layer_params[layer]
                    layer += 1
                    W = params[w_index]
                    Z = self._block(values, blocks, unit.xs, X.shape[0]) @ W.T + params[b_index]
                    self._store(values, blocks, unit.outs, Z)
                elif isinstance(unit, MapGroup):
                    forward = self.forms[id(unit.primitive)][0]
                    block = self._block(values, blocks, tuple(unit.ins), X.shape[0])
                    c = [values[s] for s in unit.extra]
                    self._store(values, blocks, unit.outs, forward(block, *c))
                else:
                    primitive, slots = tape.operation(unit.index)
                    forward = self.forms[id(primitive)][0]
                    values[first + unit.index] = forward(*[values[s] for s in slots])
            if tape.guards:
                self._check_guards(values)
        outputs = np.stack([np.broadcast_to(values[s], X.shape[:1]) for s in tape.outputs], axis=1)
        return Batch(values, blocks, X.shape[0], outputs)

    def _block(self, values: list, blocks: dict, slots: Sequence[int], size: int):
        block = blocks.get(tuple(slots))
        if block is None:
            np = self.np
            block = np.stack([np.broadcast_to(values[s], (size,)) for s in slots], axis=1)
        return block

    @staticmethod
    def _store(values: list, blocks: dict, slots: Sequence[int], block) -> None:
        blocks[tuple(slots)] = block
        for j, s in enumerate(slots):
            values[s] = block[:, j]

    def _check_guards(self, values: list) -> None:
        from autograd.tape import _COMPARISONS

        np = self.np
        for g in self.tape.guards:
            left = values[g.slot]
            right = g.constant if g.other < 0 else values[g.other]
            now = np.asarray(_COMPARISONS[g.op](left, right))
            wrong = np.flatnonzero(now != g.result)
            if wrong.size:
                k = int(wrong[0])
                left_k = float(np.broadcast_to(left, now.shape)[k])
                right_k = float(np.broadcast_to(right, now.shape)[k])
                raise self.tape.mismatch(g, left_k, right_k, f" for sample {k}")

    # --- reverse -----------------------------------------------------------------------------
    def backward(self, batch: Batch, seed: Any = 1.0, output: int = 0):
        """The reverse pass from output ``output``, seeded with ``seed`` (a number, or one per
        sample). Each parameter's ``.grad`` gets its gradient summed over the batch; returns
        the inputs' gradients, an array (batch, n_inputs) (zeros for inputs recorded without
        requires_grad)."""
        np, tape = self.np, self.tape
        if not 0 <= output < len(tape.outputs):
            raise IndexError(
                f"BatchedTape.backward: output {output} out of range ({len(tape.outputs)})"
            )
        seeds = np.broadcast_to(np.asarray(seed, dtype=np.float64), (batch.size,))
        values, blocks = batch.values, batch.blocks
        seen = self._reachable.get(output)
        if seen is None:
            seen = self._reachable[output] = tape.reachable(output)
        needs = self.needs
        grads: list = [None] * tape.n_slots
        grads[tape.outputs[output]] = seeds
        gblocks: dict[tuple, Any] = {}
        n_in, first = tape.n_inputs, tape.first_op_slot
        totals = np.zeros(len(tape.parameters))
        params = np.array([p.data for p in tape.parameters], dtype=np.float64)
        layer = len(self.layer_params)
        with np.errstate(all="ignore"):
            for unit in reversed(self.units):
                if isinstance(unit, LinearGroup):
                    layer -= 1
                    G = self._gradient_block(grads, gblocks, unit.outs, batch.size)
                    if G is None:
                        continue
                    w_index, b_index = self.layer_params[layer]
                    X = self._block(values, blocks, unit.xs, batch.size)
                    # Each parameter of a layer is used by this one node only: no repeats.
                    totals[w_index] += G.T @ X
                    totals[b_index] += G.sum(axis=0)
                    if unit.x_need:
                        self._store(grads, gblocks, unit.xs, G @ params[w_index])
                elif isinstance(unit, MapGroup):
                    G = self._gradient_block(grads, gblocks, unit.outs, batch.size)
                    if G is None:
                        continue
                    vjp = self.forms[id(unit.primitive)][1]
                    ins = tuple(unit.ins)
                    A = blocks[tuple(unit.outs)]
                    c = [values[s] for s in unit.extra]
                    self._store(grads, gblocks, ins, vjp(G, A, blocks[ins], *c)[0])
                else:
                    self._reverse_single(unit, values, grads, seen, needs)
        for k in range(len(tape.parameters)):
            g = grads[n_in + k]
            if g is not None:
                totals[k] += np.sum(g)
        for p, total, reached in zip(tape.parameters, totals.tolist(), seen[n_in:first]):
            if reached:
                p.grad += total
        input_grads = np.zeros((batch.size, n_in))
        for i in range(n_in):
            if tape.input_requires_grad[i] and grads[i] is not None:
                input_grads[:, i] = grads[i]
        return input_grads

    def _gradient_block(self, grads: list, gblocks: dict, slots: Sequence[int], size: int):
        G = gblocks.get(tuple(slots))
        if G is not None:
            return G
        if all(grads[s] is None for s in slots):
            return None
        np = self.np
        zero = np.zeros(size)
        return np.stack(
            [zero if grads[s] is None else np.broadcast_to(grads[s], (size,)) for s in slots],
            axis=1,
        )

    def _reverse_single(self, unit: Single, values: list, grads: list, seen, needs) -> None:
        tape = self.tape
        out = tape.first_op_slot + unit.index
        g = grads[out]
        if g is None or not (seen[out] and needs[out]):
            return
        primitive, slots = tape.operation(unit.index)
        vjp = self.forms[id(primitive)][1]
        input_grads = vjp(g, values[out], *[values[s] for s in slots])
        for s, gs in zip(slots, input_grads):
            if needs[s]:
                grads[s] = gs if grads[s] is None else grads[s] + gs


def _elementwise(primitive, np) -> tuple:
    """(forward, vjp) on arrays for a primitive without an array form: its float rules, called
    on each element (the arguments broadcast against each other)."""

    def apply(rule, *args):
        arrays = np.broadcast_arrays(*[np.asarray(a, dtype=np.float64) for a in args])
        columns = [a.ravel().tolist() for a in arrays]
        return [rule(*row) for row in zip(*columns)], arrays[0].shape

    def forward(*args):
        results, shape = apply(primitive.forward, *args)
        return np.array(results, dtype=np.float64).reshape(shape)

    def vjp(g, ans, *args):
        rows, shape = apply(primitive.vjp, g, ans, *args)
        return [np.array(column, dtype=np.float64).reshape(shape) for column in zip(*rows)]

    return forward, vjp


__all__ = ["BatchedTape", "Batch"]
