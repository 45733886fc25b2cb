"""Layers in a tape: the groups of operations that a replay can run as one step.

A network's tape is mostly layers: ``linear`` nodes that read the same tuple of inputs (one
per neuron), each followed by the same activation. A replay runs such a group at once — a
matrix product over a batch (``tape_numpy``), one list comprehension per sample
(``tape_plain``) — instead of node by node. Only groups whose gradients reach their slots in
the engine's order can be fused that way; everything else stays a single operation:

- ``LinearGroup``: linear nodes with the same input slots xs, whose weights and bias are
  parameters used by no other operation of the tape, and whose xs, if they need a gradient,
  are used by the group's nodes only and are not parameters. Then each x receives its
  gradient from the group alone, in reverse node order, and each weight from its one node.
- ``MapGroup``: one primitive applied to each output of a linear group, in order, each
  output used by that operation only, with the same constants after it (leaky_relu's slope).

A unit runs, forward, at the place of its first operation: its inputs exist by then. The
reverse pass runs the units in the reverse order: every consumer of a unit's outputs comes
after the unit's first operation, so its gradients are complete when the unit's turn comes.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from autograd.primitives import linear


@dataclass
class LinearGroup:
    members: list[int]  # operation indices, in tape order
    outs: list[int]  # their output slots
    weights: list[tuple[int, ...]]  # per member, its weight slots
    biases: list[int]
    xs: tuple[int, ...]
    x_need: bool  # whether the xs need a gradient


@dataclass
class MapGroup:
    members: list[int]
    primitive: object
    ins: list[int]
    outs: list[int]
    extra: tuple[int, ...] = ()  # constant slots every member takes after its input


@dataclass
class Single:
    index: int


def schedule(tape, needs: list[bool]) -> list:
    """The tape's operations as units (``LinearGroup``, ``MapGroup``, ``Single``) in the
    order a forward replay runs them."""
    n_params = len(tape.parameters)
    first_param = tape.n_inputs
    uses = Counter(tape.args)
    first_op = tape.first_op_slot
    first_constant = first_param + n_params

    def is_param(s: int) -> bool:
        return first_param <= s < first_param + n_params

    by_xs: dict[tuple[int, ...], list[int]] = {}
    for i in range(len(tape)):
        primitive, slots = tape.operation(i)
        if primitive is not linear:
            continue
        n = len(slots) // 2
        own = slots[:n] + (slots[-1],)
        if n and all(is_param(s) and uses[s] == 1 for s in own):
            by_xs.setdefault(slots[n:-1], []).append(i)
    groups: dict[int, object] = {}  # first member -> unit
    grouped: set[int] = set()
    consumer_of: dict[int, int] = {}
    for xs, members in by_xs.items():
        x_need = [needs[s] for s in xs]
        if len(set(x_need)) > 1 or len(set(xs)) != len(xs):
            continue
        if x_need and x_need[0] and any(is_param(s) or uses[s] != len(members) for s in xs):
            continue
        outs = [first_op + i for i in members]
        weights, biases = [], []
        for i in members:
            slots = tape.operation(i)[1]
            n = len(slots) // 2
            weights.append(slots[:n])
            biases.append(slots[-1])
        group = LinearGroup(members, outs, weights, biases, xs, bool(x_need and x_need[0]))
        groups[members[0]] = group
        grouped.update(members)
        for s in outs:
            if uses[s] == 1:
                consumer_of[s] = -1
    if consumer_of:
        for i in range(len(tape)):
            for s in tape.operation(i)[1]:
                if s in consumer_of:
                    consumer_of[s] = i
    for group in [g for g in groups.values() if isinstance(g, LinearGroup)]:
        consumers = [consumer_of.get(s, -1) for s in group.outs]
        if min(consumers) < 0:
            continue
        ops = [tape.operation(i) for i in consumers]
        primitive, extra = ops[0][0], ops[0][1][1:]
        if (
            any(p is not primitive or slots[1:] != extra for p, slots in ops)
            or any(slots[0] != s for (_, slots), s in zip(ops, group.outs))
            or not all(first_constant <= s < first_op for s in extra)
            or len(set(consumers)) != len(consumers)
        ):
            continue
        groups[min(consumers)] = MapGroup(
            consumers, primitive, list(group.outs), [first_op + i for i in consumers], extra
        )
        grouped.update(consumers)
    units = []
    for i in range(len(tape)):
        if i in groups:
            units.append(groups[i])
        elif i not in grouped:
            units.append(Single(i))
    return units
