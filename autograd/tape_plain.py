"""Plain-Python replay of a tape: the engine's arithmetic, in the engine's order.

Forward, each operation calls its primitive's ``forward`` on the floats of its input slots
(linear as ``b + w₁x₁ + …``, left to right, as ``autograd.dot``). Reverse, each runs its
primitive's ``vjp`` and adds into running sums started at -0.0, in the order
``backward._send_first_order`` adds, so the results are bit for bit the engine's.

A layer (``tape_layers``) runs as one step. Forward: one list comprehension of sums over the
layer's input values. Reverse: each x's gradient is the sum over the layer's nodes, last
first, from -0.0 — the order in which the engine's nodes send it — and each weight's, whose
only node is its neuron's, is summed over all samples of ``backward_many`` at the end, last
sample first, again the engine's order. Python's ``sum`` adds left to right from its start
value on CPython < 3.12; later versions compensate, so there ``itertools.accumulate`` adds.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Sequence
from itertools import accumulate, repeat
from operator import add, itemgetter, mul

from autograd.primitives import linear
from autograd.tape_layers import LinearGroup, MapGroup, schedule

if sys.version_info < (3, 12):
    _sum_from = sum
else:  # pragma: no cover - the CI runs 3.11

    def _sum_from(terms, start):
        return deque(accumulate(terms, initial=start), maxlen=1)[0]


_UNARY, _BINARY, _NARY, _LINEAR, _LAYER, _MAP = 1, 2, 3, 4, 5, 6


def getter(slots: Sequence[int]) -> Callable[[list], Sequence]:
    """values -> the values at ``slots`` (a slice when the slots are evenly spaced)."""
    s = as_slice(slots)
    if s is not None:
        return itemgetter(s)
    if len(slots) == 1:
        only = slots[0]
        return lambda values: (values[only],)
    return itemgetter(*slots)


def as_slice(slots: Sequence[int]) -> slice | None:
    if not slots:
        return slice(0, 0)
    step = slots[1] - slots[0] if len(slots) > 1 else 1
    if step > 0 and all(slots[k + 1] - slots[k] == step for k in range(len(slots) - 1)):
        return slice(slots[0], slots[-1] + 1, step)
    return None


def _put(values: list, slots: Sequence[int], where: slice | None, items) -> None:
    if where is not None:
        values[where] = items
    else:
        for s, v in zip(slots, items):
            values[s] = v


class PlainProgram:
    """A tape's forward and reverse passes as lists of instructions (built once per tape)."""

    def __init__(self, tape):
        self.tape = tape
        self.needs = tape.needs_grad()
        self.units = schedule(tape, self.needs)
        self.layers = [u for u in self.units if isinstance(u, LinearGroup)]
        self.forward_code = [self._forward_instruction(u) for u in self.units]
        self._reverse: dict[int, tuple[list, list[bool]]] = {}

    def _forward_instruction(self, unit) -> tuple:
        if isinstance(unit, LinearGroup):
            k = self.layers.index(unit)
            return (_LAYER, k, getter(unit.xs), unit.outs, as_slice(unit.outs))
        if isinstance(unit, MapGroup):
            f = unit.primitive.forward  # type: ignore[attr-defined]
            c = self.constants(unit)
            return (_MAP, f, getter(unit.ins), unit.outs, as_slice(unit.outs), c)
        primitive, slots = self.tape.operation(unit.index)
        out = self.tape.first_op_slot + unit.index
        if primitive is linear:
            n = len(slots) // 2
            w, x = slots[:n], slots[n:-1]
            return (_LINEAR, out, getter(w), getter(x), slots[-1], w, x, len(set(slots)))
        if len(slots) == 1:
            return (_UNARY, out, primitive.forward, primitive.vjp, slots[0])
        if len(slots) == 2:
            return (_BINARY, out, primitive.forward, primitive.vjp, slots[0], slots[1])
        return (_NARY, out, primitive.forward, primitive.vjp, slots)

    # --- forward -----------------------------------------------------------------------------
    def layer_weights(self, values: list) -> list[list[tuple[tuple[float, ...], float]]]:
        """Per layer, (weights, bias) of each node, read from the parameter slots."""
        return [
            [(tuple([values[s] for s in w]), values[b]) for w, b in zip(u.weights, u.biases)]
            for u in self.layers
        ]

    def forward_many(self, inputs: Sequence[list[float]]) -> list[list[float]]:
        """One list of slot values per input list (already checked floats)."""
        tape = self.tape
        base = [p.data for p in tape.parameters]
        base += tape.constants
        n_in = tape.n_inputs
        wb = self.layer_weights([0.0] * n_in + base)
        base += [0.0] * len(tape)
        traces = []
        code = self.forward_code
        for x in inputs:
            values = x + base
            for instruction in code:
                kind = instruction[0]
                if kind == _LAYER:
                    _, k, xs, outs, where = instruction
                    xv = xs(values)
                    _put(values, outs, where, [_sum_from(map(mul, w, xv), b) for w, b in wb[k]])
                elif kind == _MAP:
                    _, f, ins, outs, where, c = instruction
                    _put(values, outs, where, list(map(f, ins(values), *map(repeat, c))))
                elif kind == _UNARY:
                    values[instruction[1]] = instruction[2](values[instruction[4]])
                elif kind == _BINARY:
                    _, out, f, _vjp, a, b = instruction
                    values[out] = f(values[a], values[b])
                elif kind == _LINEAR:
                    _, out, ws, xs, b = instruction[:5]
                    values[out] = _sum_from(map(mul, ws(values), xs(values)), values[b])
                else:
                    _, out, f, _vjp, slots = instruction
                    values[out] = f(*[values[s] for s in slots])
            traces.append(values)
        return traces

    # --- reverse -----------------------------------------------------------------------------
    def reverse_code(self, output: int) -> tuple[list, list[bool]]:
        """The reverse instructions from output ``output`` (only operations it depends on and
        that lead to a gradient), and which parameters it reaches."""
        cached = self._reverse.get(output)
        if cached is not None:
            return cached
        tape, needs = self.tape, self.needs
        seen = tape.reachable(output)
        code = []
        first = tape.first_op_slot
        for unit in reversed(self.units):
            if isinstance(unit, (LinearGroup, MapGroup)):
                if all(seen[s] for s in unit.outs):
                    code.append(self._reverse_group(unit))
                    continue
                members = sorted(unit.members, reverse=True)
            else:
                members = [unit.index]
            for i in members:
                if seen[first + i] and needs[first + i]:
                    code.append(self._reverse_single(i))
        n_in = tape.n_inputs
        reached = [seen[n_in + k] for k in range(len(tape.parameters))]
        self._reverse[output] = (code, reached)
        return code, reached

    def _reverse_group(self, unit) -> tuple:
        if isinstance(unit, LinearGroup):
            k = self.layers.index(unit)
            xs = unit.xs
            return (_LAYER, k, getter(unit.outs), getter(xs), unit.x_need, xs, as_slice(xs))
        return (
            _MAP,
            unit.primitive.vjp,
            getter(unit.outs),
            getter(unit.ins),
            unit.ins,
            as_slice(unit.ins),
            self.constants(unit),
        )

    def constants(self, unit: MapGroup) -> tuple[float, ...]:
        """The constants a map group's operations take after their input."""
        first = self.tape.n_inputs + len(self.tape.parameters)
        return tuple(self.tape.constants[s - first] for s in unit.extra)

    def _reverse_single(self, i: int) -> tuple:
        needs = self.needs
        instruction = self._forward_instruction_at(i)
        kind = instruction[0]
        if kind == _LINEAR:
            _, out, ws, xs, b, w, x, distinct = instruction
            w_need = [needs[s] for s in w]
            x_need = [needs[s] for s in x]
            # Whole slices when all or none of a side needs a gradient and no slot repeats
            # (the engine sends pair by pair; only a repeated slot makes that order show).
            w_slice = as_slice(w) if all(w_need) else None
            x_slice = as_slice(x) if all(x_need) else None
            vector = (
                distinct == len(w) + len(x) + 1
                and (w_slice is not None or not any(w_need))
                and (x_slice is not None or not any(x_need))
            )
            return (
                _LINEAR,
                out,
                ws,
                xs,
                b,
                w,
                x,
                vector,
                w_slice,
                x_slice,
                needs[b],
                w_need,
                x_need,
            )
        if kind == _NARY:
            _, out, f, vjp, slots = instruction
            return (_NARY, out, vjp, slots, [needs[s] for s in slots])
        if kind == _UNARY:
            _, out, f, vjp, a = instruction
            return (_UNARY, out, vjp, a, needs[a])
        _, out, f, vjp, a, b = instruction
        return (_BINARY, out, vjp, a, b, needs[a], needs[b])

    def _forward_instruction_at(self, i: int) -> tuple:
        from autograd.tape_layers import Single

        return self._forward_instruction(Single(i))

    def backward_many(
        self, traces: Sequence[list], seeds: Sequence[float], output: int
    ) -> list[tuple[float, ...]]:
        tape = self.tape
        code, reached = self.reverse_code(output)
        root = tape.outputs[output]
        n_in, n_par, n_slots = tape.n_inputs, len(tape.parameters), tape.n_slots
        first = n_in + n_par
        grads: list[float] = [-0.0] * n_slots
        columns = None
        if traces:
            wb = self.layer_weights(traces[0])
            # Per layer, column k of the weights with the last node first: ∂L/∂xₖ is summed
            # over the nodes in that order.
            columns = [list(zip(*[w for w, _ in reversed(layer)])) for layer in wb]
        sent: list[list] = [[] for _ in self.layers]  # per layer: (∂L/∂z of its nodes, xs)
        input_grads = []
        requires = tape.input_requires_grad
        for values, seed in zip(reversed(traces), reversed(seeds)):
            grads[:n_in] = [-0.0] * n_in
            grads[first:] = [-0.0] * (n_slots - first)
            grads[root] = float(seed)
            for instruction in code:
                kind = instruction[0]
                if kind == _LAYER:
                    _, k, outs, xs, x_need, x_slots, x_where = instruction
                    g = outs(grads)
                    sent[k].append((g, xs(values)))
                    if x_need:
                        g = g[::-1]
                        _put(
                            grads,
                            x_slots,
                            x_where,
                            [_sum_from(map(mul, g, column), -0.0) for column in columns[k]],  # type: ignore[index]
                        )
                elif kind == _MAP:
                    _, vjp, outs, ins, in_slots, where, c = instruction
                    _put(
                        grads,
                        in_slots,
                        where,
                        [
                            vjp(g, a, z, *c)[0]
                            for g, a, z in zip(outs(grads), outs(values), ins(values))
                        ],
                    )
                else:
                    _reverse_single(instruction, values, grads)
            # As .grad holds them after backward() from 0.0: 0.0 + the sum.
            input_grads.append(tuple(0.0 + g if r else 0.0 for g, r in zip(grads[:n_in], requires)))
        for k, p in enumerate(tape.parameters):
            if reached[k]:
                p.grad += grads[n_in + k]
        self._finish_layers(sent)
        input_grads.reverse()
        return input_grads

    def _finish_layers(self, sent: list[list]) -> None:
        """Each weight's and bias's sum over the samples, last first (as they were sent)."""
        parameters, n_in = self.tape.parameters, self.tape.n_inputs
        for layer, samples in zip(self.layers, sent):
            if not samples:
                continue
            g_columns = list(zip(*[g for g, _ in samples]))
            x_columns = list(zip(*[x for _, x in samples]))
            for g, w, b in zip(g_columns, layer.weights, layer.biases):
                for s, x in zip(w, x_columns):
                    parameters[s - n_in].grad += _sum_from(map(mul, g, x), -0.0)
                parameters[b - n_in].grad += _sum_from(g, -0.0)


def _reverse_single(instruction: tuple, values: list, grads: list) -> None:
    """One node of the engine's first-order walk (``backward._send_first_order``), on slots."""
    kind = instruction[0]
    g = grads[instruction[1]]
    if kind == _UNARY:
        _, out, vjp, a, a_need = instruction
        if a_need:
            grads[a] += vjp(g, values[out], values[a])[0]
    elif kind == _BINARY:
        _, out, vjp, a, b, a_need, b_need = instruction
        ga, gb = vjp(g, values[out], values[a], values[b])
        if a_need:
            grads[a] += ga
        if b_need:
            grads[b] += gb
    elif kind == _LINEAR:
        _, out, ws, xs, b, w, x, vector, w_slice, x_slice, b_need, w_need, x_need = instruction
        if vector:
            if w_slice is not None:
                grads[w_slice] = map(add, grads[w_slice], map(g.__mul__, xs(values)))
            if x_slice is not None:
                grads[x_slice] = map(add, grads[x_slice], map(g.__mul__, ws(values)))
        else:
            for w_slot, x_slot, wn, xn in zip(w, x, w_need, x_need):
                if wn:
                    grads[w_slot] += g * values[x_slot]
                if xn:
                    grads[x_slot] += g * values[w_slot]
        if b_need:
            grads[b] += g
    else:
        _, out, vjp, slots, slot_needs = instruction
        input_grads = vjp(g, values[out], *[values[s] for s in slots])
        for s, gs, need in zip(slots, input_grads, slot_needs):
            if need:
                grads[s] += gs
