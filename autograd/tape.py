"""Tapes: record a function's graph once, then replay it forward and reverse for new inputs.

Building the graph again for every input is what a scalar engine spends most of its time on
(half of a training step, see README Performance). Operator-overloading AD tools (ADOL-C,
CppAD) and JAX's ``jit`` record the operations once instead: ``record(f, example_inputs)``
runs ``f`` on Values once and keeps its graph as flat arrays — for each operation node its
primitive, its input slots and (implicitly, by position) its output slot — with the inputs,
the parameters (leaves that require grad, such as a model's weights) and the constants as
named slots. The tape keeps no node of the graph; it keeps the parameters' Values, whose
current ``.data`` every replay reads and whose ``.grad`` the reverse pass adds to.

``tape.forward(inputs)`` evaluates the slots in the recorded order and ``tape.backward``
applies the same derivative rules in the same reverse order with sums started at -0.0, as
``autograd.backward`` does, so gradients are bit for bit those of building the graph and
calling ``backward()``. ``autograd.tape_numpy`` replays a tape over a whole batch at once.

A tape is valid for the structure it recorded only. Comparisons of Values made while
recording (``if x > 0:``, ``while err > tol:``, ``max(values)``) are recorded and checked at
every replay; when one comes out the other way, replay raises ``TapeMismatchError`` naming
the comparison and the line that made it (record a new tape for such inputs). What a tape
cannot see is a Value's number taken out of the graph (``x.data``, ``float(x)``) and used in
a later operation: it is kept as the constant it was when recorded.
"""

from __future__ import annotations

import operator
import threading
from array import array
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from autograd import modes
from autograd.value import Primitive, Value, flat_inputs, user_site
from autograd.value import record as _record_node


class TapeMismatchError(RuntimeError):
    """A replay's inputs take a branch that the recording did not: the tape does not apply."""


class Guard(NamedTuple):
    """A comparison made while recording: ``slot op other`` was ``result`` (``other`` is a
    slot, or the number ``constant`` when ``other`` is -1)."""

    op: str
    slot: int
    other: int
    constant: float
    result: bool
    site: str


_COMPARISONS: dict[str, Callable[[Any, Any], Any]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_METHODS = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
_recording = threading.local()
_record_lock = threading.RLock()


class Tape:
    """A recorded graph as flat arrays (see the module docstring). Build one with ``record``.

    Slots: ``[0, n_inputs)`` the inputs, then ``n_parameters`` parameters, then the constants,
    then one slot per operation, in topological (creation) order. Operation ``i`` has output
    slot ``first_op_slot + i``, primitive ``primitives[codes[i]]`` and input slots
    ``args[offsets[i]:offsets[i + 1]]`` (linear's as w₁..wₙ, x₁..xₙ, b).
    """

    def __init__(
        self,
        input_names: list[str],
        input_requires_grad: list[bool],
        parameters: list[Value],
        constants: array,
        primitives: list[Primitive],
        codes: array,
        offsets: array,
        args: array,
        outputs: array,
        single_output: bool,
        guards: list[Guard],
        example_inputs: list[float],
        stopped: frozenset[int] = frozenset(),
    ):
        self.input_names = input_names
        self.input_requires_grad = input_requires_grad
        self.parameters = parameters
        self.constants = constants
        self.primitives = primitives
        self.codes = codes
        self.offsets = offsets
        self.args = args
        self.outputs = outputs
        self.single_output = single_output
        self.guards = guards
        self.example_inputs = example_inputs
        self.stopped = stopped  # operations made under no_grad: no gradient flows through
        self.n_inputs = len(input_names)
        self.first_op_slot = self.n_inputs + len(parameters) + len(constants)
        self.n_slots = self.first_op_slot + len(codes)
        self._plain: Any = None
        self._batched: Any = None

    # --- description ----------------------------------------------------------------------
    def __len__(self) -> int:
        """The number of operations."""
        return len(self.codes)

    def __repr__(self) -> str:
        return (
            f"<Tape: {len(self)} operations, {self.n_inputs} inputs, "
            f"{len(self.parameters)} parameters, {len(self.constants)} constants, "
            f"{len(self.outputs)} outputs, {len(self.guards)} guards>"
        )

    def nbytes(self) -> int:
        """Bytes held by the tape's arrays (what grows with the graph; parameters excluded)."""
        return sum(
            a.itemsize * len(a)
            for a in (self.constants, self.codes, self.offsets, self.args, self.outputs)
        )

    def operation(self, i: int) -> tuple[Primitive, tuple[int, ...]]:
        """(primitive, input slots) of operation ``i``."""
        return self.primitives[self.codes[i]], tuple(
            self.args[self.offsets[i] : self.offsets[i + 1]]
        )

    def slot_name(self, slot: int) -> str:
        if slot < self.n_inputs:
            return self.input_names[slot]
        if slot < self.n_inputs + len(self.parameters):
            p = self.parameters[slot - self.n_inputs]
            return p.label or f"p{slot - self.n_inputs}"
        if slot < self.first_op_slot:
            return repr(self.constants[slot - self.n_inputs - len(self.parameters)])
        return f"v{slot - self.first_op_slot}"

    def explain(self) -> str:
        """The tape as text, one operation a line: ``v3 = tanh(v2)``."""
        lines = [repr(self)]
        for i in range(len(self)):
            primitive, slots = self.operation(i)
            arguments = ", ".join(self.slot_name(s) for s in slots)
            stop = "  (no_grad: no gradient)" if i in self.stopped else ""
            lines.append(f"v{i} = {primitive.name}({arguments}){stop}")
        lines.append("outputs: " + ", ".join(self.slot_name(s) for s in self.outputs))
        for g in self.guards:
            other = repr(g.constant) if g.other < 0 else self.slot_name(g.other)
            lines.append(f"guard: {self.slot_name(g.slot)} {g.op} {other} is {g.result} ({g.site})")
        return "\n".join(lines)

    def to_graph(self, inputs: Sequence[float] | None = None) -> Value | list[Value]:
        """The graph the tape stands for, rebuilt as Values for ``inputs`` (default: the
        example inputs it was recorded with), e.g. for ``viz.draw_dot``. The parameters
        appear as new leaves with their labels and current data."""
        values = self.forward(self.example_inputs if inputs is None else inputs)
        nodes: list[Value] = [Value(x, name) for x, name in zip(values, self.input_names)]
        nodes += [Value(p.data, p.label) for p in self.parameters]
        nodes += [Value(c, requires_grad=False) for c in self.constants]
        shared: dict[tuple, tuple] = {}  # linear's tuples, shared between nodes as nn does
        for i in range(len(self)):
            primitive, slots = self.operation(i)
            ins = tuple(nodes[s] for s in slots)
            if i in self.stopped:
                node = Value(values[self.first_op_slot + i], requires_grad=False)
            elif primitive.name == "linear":
                n = len(ins) // 2
                w = shared.setdefault(slots[:n], ins[:n])
                xs = shared.setdefault(slots[n:-1], ins[n:-1])
                node = _record_node(primitive, values[self.first_op_slot + i], (w, xs, ins[-1]))
            else:
                node = _record_node(primitive, values[self.first_op_slot + i], ins)
            nodes.append(node)
        outs = [nodes[s] for s in self.outputs]
        return outs[0] if self.single_output else outs

    # --- plain replay ---------------------------------------------------------------------
    def check_inputs(self, inputs: Sequence[float], where: str = "Tape.forward") -> list[float]:
        try:
            values = [float(x) for x in inputs]
        except TypeError:
            raise TypeError(
                f"{where}: inputs must be a sequence of {self.n_inputs} numbers, "
                f"got {type(inputs).__name__}"
            ) from None
        if len(values) != self.n_inputs:
            raise ValueError(
                f"{where}: this tape was recorded with {self.n_inputs} input"
                f"{'s' if self.n_inputs != 1 else ''} ({', '.join(self.input_names)}), "
                f"got {len(values)}"
            )
        return values

    def forward(self, inputs: Sequence[float]) -> list[float]:
        """Every slot's value for ``inputs`` and the parameters' current ``.data`` (a list
        indexed by slot; ``outputs_of`` picks the outputs). Raises ``TapeMismatchError``
        when a recorded comparison comes out differently, ``ValueError`` for a wrong number
        of inputs."""
        values = self.plain().forward_many([self.check_inputs(inputs)])[0]
        if self.guards:
            self.check_guards(values)
        return values

    def outputs_of(self, values: list[float]) -> float | list[float]:
        """The outputs in a forward pass's values: one float, or a list as ``f`` returned."""
        outs = [values[s] for s in self.outputs]
        return outs[0] if self.single_output else outs

    def __call__(self, *inputs: float) -> float | list[float]:
        """``tape(x0, x1, …)``: the outputs for these inputs (forward only)."""
        return self.outputs_of(self.forward(inputs))

    def check_guards(self, values: Sequence, sample: str = "") -> None:
        for g in self.guards:
            other = g.constant if g.other < 0 else values[g.other]
            now = _COMPARISONS[g.op](values[g.slot], other)
            if bool(now) != g.result:
                raise self.mismatch(g, values[g.slot], other, sample)

    def mismatch(self, g: Guard, left, right, sample: str = "") -> TapeMismatchError:
        other = repr(g.constant) if g.other < 0 else self.slot_name(g.other)
        return TapeMismatchError(
            f"tape replay: the comparison {self.slot_name(g.slot)} {g.op} {other} made at "
            f"{g.site} was {g.result} when the tape was recorded but is {not g.result} now"
            f"{sample} ({left!r} {g.op} {right!r}): the function's graph depends on it, so "
            f"record a new tape for these inputs"
        )

    def forward_many(self, inputs: Sequence[Sequence[float]]) -> list[list[float]]:
        """``forward`` for each of several inputs (reading the parameters once)."""
        checked = [self.check_inputs(x, "Tape.forward_many") for x in inputs]
        traces = self.plain().forward_many(checked)
        if self.guards:
            for k, values in enumerate(traces):
                self.check_guards(values, f" for input {k}" if len(traces) > 1 else "")
        return traces

    def backward(
        self, values: list[float], seed: float = 1.0, output: int = 0
    ) -> tuple[float, ...]:
        """The reverse pass from output ``output`` of a forward pass's ``values``, as
        ``Value.backward(seed)`` would run it: each parameter's ``.grad`` gets its total added;
        returns the inputs' gradients (0.0 for inputs recorded without requires_grad)."""
        return self.backward_many([values], [seed], output)[0]

    def backward_many(
        self, traces: Sequence[list[float]], seeds: Sequence[float], output: int = 0
    ) -> list[tuple[float, ...]]:
        """The reverse pass of several forward passes whose outputs were summed with weights
        ``seeds``, bit for bit as ``backward()`` on one graph that ran the forward passes in
        order: the traces are walked last first and each parameter's sum is carried from one
        to the next, reaching ``.grad`` once. Returns each trace's input gradients."""
        if len(traces) != len(seeds):
            raise ValueError(f"Tape.backward_many: {len(traces)} traces but {len(seeds)} seeds")
        if not 0 <= output < len(self.outputs):
            raise IndexError(
                f"Tape.backward: output {output} out of range ({len(self.outputs)} outputs)"
            )
        return self.plain().backward_many(traces, seeds, output)

    def plain(self):
        """The plain-Python replay program (``autograd.tape_plain``), built on first use."""
        if self._plain is None:
            from autograd.tape_plain import PlainProgram

            self._plain = PlainProgram(self)
        return self._plain

    def batched(self):
        """The batched replay over numpy arrays (``autograd.tape_numpy.BatchedTape``), built
        on first use. Requires numpy."""
        if self._batched is None:
            from autograd.tape_numpy import BatchedTape

            self._batched = BatchedTape(self)
        return self._batched

    def needs_grad(self) -> list[bool]:
        """Per slot: whether a gradient can reach a parameter or an input requiring grad
        through it."""
        needs = list(self.input_requires_grad) + [True] * len(self.parameters)
        needs += [False] * (len(self.constants) + len(self))
        stopped = self.stopped
        for i in range(len(self)):
            if i not in stopped:
                needs[self.first_op_slot + i] = any(needs[s] for s in self.operation(i)[1])
        return needs

    def reachable(self, output: int) -> list[bool]:
        """Per slot: whether output ``output`` depends on it."""
        seen = [False] * self.n_slots
        seen[self.outputs[output]] = True
        for i in range(len(self) - 1, -1, -1):
            if seen[self.first_op_slot + i]:
                for s in self.operation(i)[1]:
                    seen[s] = True
        return seen


# --- recording ----------------------------------------------------------------------------------
def _recording_comparison(symbol: str, original: Callable) -> Callable:
    def compare(self, other):
        result = original(self, other)
        log = getattr(_recording, "guards", None)
        if log is not None:
            log.append((symbol, self, other, bool(result), user_site()))
        return result

    compare.__name__ = original.__name__
    return compare


def record(
    fn: Callable[..., Any],
    example_inputs: Sequence[float | Value],
    *,
    input_names: Sequence[str] | None = None,
) -> Tape:
    """Run ``fn(*inputs)`` once on Values and keep its graph as a ``Tape``.

    ``example_inputs``: numbers (made into leaves that require no gradient) or leaf Values
    (their ``requires_grad`` says whether ``Tape.backward`` returns their gradient).
    ``fn`` returns a Value or a sequence of Values (the outputs; ``backward`` differentiates
    one of them, the first by default). Leaves ``fn`` reaches that require grad and are not
    inputs — a model's weights — become the tape's parameters; other leaves and plain
    numbers are constants. Comparisons of Values made by ``fn`` become guards.

    Raises ``TypeError`` when ``fn`` returns something that is not Values.
    """
    leaves: list[Value] = []
    for i, x in enumerate(example_inputs):
        name = input_names[i] if input_names is not None else f"x{i}"
        if type(x) is Value:
            if x._inputs:
                raise ValueError(f"record: input {i} is the result of an operation, not a leaf")
            leaves.append(x)
        else:
            leaves.append(Value(float(x), label=name, requires_grad=False))
    names = [
        input_names[i] if input_names is not None else (v.label or f"x{i}")
        for i, v in enumerate(leaves)
    ]
    with _record_lock:
        originals = {symbol: getattr(Value, m) for symbol, m in _METHODS.items()}
        for symbol, method in _METHODS.items():
            setattr(Value, method, _recording_comparison(symbol, originals[symbol]))
        comparisons: list[tuple] = []
        _recording.guards = comparisons
        taping, modes.state.taping = modes.state.taping, True
        try:
            result = fn(*leaves)
        finally:
            modes.state.taping = taping
            _recording.guards = None
            for symbol, method in _METHODS.items():
                setattr(Value, method, originals[symbol])
    single = type(result) is Value
    if not single and not isinstance(result, (list, tuple)):
        raise TypeError(
            f"record: the function must return a Value or a list of Values, "
            f"got {type(result).__name__}"
        )
    outputs = [result] if single else list(result)
    for k, out in enumerate(outputs):
        if type(out) is not Value:
            raise TypeError(f"record: output {k} of the function is a {type(out).__name__}")
    return _build(leaves, names, outputs, single, comparisons)


def _build(leaves, names, outputs, single, comparisons) -> Tape:
    roots = list(outputs)
    roots += [c[1] for c in comparisons]
    roots += [c[2] for c in comparisons if type(c[2]) is Value]
    # One search finds the operation nodes and the leaves (Values hash by identity). A
    # neuron's weights are met together, so they get consecutive slots.
    slot: dict[Value, int] = {v: i for i, v in enumerate(leaves)}
    parameters: list[Value] = []
    constants: list[Value] = []
    found: set[Value] = set()
    stack: list[Value] = []
    for r in roots:
        if r._inputs:
            if r not in found:
                found.add(r)
                stack.append(r)
        elif r not in slot:
            slot[r] = -1
            (parameters if r.requires_grad else constants).append(r)
    while stack:
        node = stack.pop()
        for x in flat_inputs(node.primitive, node._inputs):
            if x._inputs:
                if x not in found:
                    found.add(x)
                    stack.append(x)
            elif x not in slot:
                slot[x] = -1
                (parameters if x.requires_grad else constants).append(x)
    operations = sorted(found, key=operator.attrgetter("seq"))  # a topological order
    del found
    n_in, n_par = len(leaves), len(parameters)
    for k, v in enumerate(parameters):
        slot[v] = n_in + k
    for k, v in enumerate(constants):
        slot[v] = n_in + n_par + k
    first = n_in + n_par + len(constants)
    for i, node in enumerate(operations):
        slot[node] = first + i

    primitives: list[Primitive] = []
    code_of: dict[Primitive, int] = {}
    codes = array("B")
    offsets = array("q", [0])
    args = array("q")
    stopped = []
    for i, node in enumerate(operations):
        if not node.requires_grad:  # made under no_grad: recomputed, but sends no gradient
            stopped.append(i)
        primitive: Primitive = node.primitive  # type: ignore[assignment]  # an operation
        code = code_of.get(primitive)
        if code is None:
            code = code_of[primitive] = len(primitives)
            primitives.append(primitive)
            if code == 256:
                codes = array("H", codes)
        codes.append(code)
        args.extend([slot[x] for x in flat_inputs(primitive, node._inputs)])
        offsets.append(len(args))
    guards = []
    for symbol, a, b, result, site in comparisons:
        if type(b) is Value:
            guards.append(Guard(symbol, slot[a], slot[b], 0.0, result, site))
        else:
            guards.append(Guard(symbol, slot[a], -1, float(b), result, site))
    return Tape(
        names,
        [v.requires_grad for v in leaves],
        parameters,
        array("d", [c.data for c in constants]),
        primitives,
        codes,
        offsets,
        args,
        array("q", [slot[o] for o in outputs]),
        single,
        guards,
        [v.data for v in leaves],
        frozenset(stopped),
    )


__all__ = ["Tape", "TapeMismatchError", "Guard", "record"]
