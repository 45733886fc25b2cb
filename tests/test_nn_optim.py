"""Optimizers against torch.optim: same start, same data, same parameters after every step."""

import pytest

from autograd import Value
from nn import MLP, SGD, Adam, binary_cross_entropy

torch = pytest.importorskip("torch")

X = [[0.5, -1.0], [1.5, 0.3], [-0.7, 0.8], [0.1, 0.1], [-1.2, -0.4], [0.9, 1.1]]
Y = [1, 0, 1, 0, 1, 0]
STEPS = 6


def torch_copy(model):
    """Our MLP's weights as torch leaves: per layer a (nout × nin) matrix and a bias vector."""
    tensors = []
    for layer in model.layers:
        W = [[w.data for w in n.w] for n in layer.neurons]
        b = [n.b.data for n in layer.neurons]
        tensors += [
            torch.tensor(W, dtype=torch.float64, requires_grad=True),
            torch.tensor(b, dtype=torch.float64, requires_grad=True),
        ]
    return tensors


def torch_loss(tensors):
    h = torch.tensor(X, dtype=torch.float64)
    pairs = list(zip(tensors[::2], tensors[1::2]))
    for i, (W, b) in enumerate(pairs):
        h = h @ W.T + b
        if i < len(pairs) - 1:
            h = torch.tanh(h)
    return torch.nn.functional.binary_cross_entropy_with_logits(
        h[:, 0], torch.tensor(Y, dtype=torch.float64)
    )


def flatten(tensors):
    """torch's parameters in the order of our named_parameters (per neuron: w..., b)."""
    values = []
    for W, b in zip(tensors[::2], tensors[1::2]):
        for j in range(W.shape[0]):
            values += W[j].tolist() + [b[j].item()]
    return values


def compare(make_ours, make_theirs, schedule=None):
    model = MLP(2, [4, 3, 1], seed=0)
    tensors = torch_copy(model)
    assert flatten(tensors) == [p.data for p in model.parameters()]
    ours, theirs = make_ours(model.parameters()), make_theirs(tensors)
    scheduler = schedule(theirs) if schedule else None
    for _ in range(STEPS):
        ours.zero_grad()
        binary_cross_entropy([model(x) for x in X], Y).backward()
        ours.step()
        theirs.zero_grad()
        torch_loss(tensors).backward()
        theirs.step()
        if scheduler:
            scheduler.step()
        assert [p.data for p in model.parameters()] == pytest.approx(
            flatten(tensors), rel=1e-10, abs=1e-10
        )
    return model


def test_plain_sgd_is_the_documents_update():
    compare(lambda p: SGD(p, lr=0.3), lambda t: torch.optim.SGD(t, lr=0.3))


def test_sgd_with_momentum_and_weight_decay_matches_torch():
    compare(
        lambda p: SGD(p, lr=0.1, momentum=0.9, weight_decay=0.01),
        lambda t: torch.optim.SGD(t, lr=0.1, momentum=0.9, weight_decay=0.01),
    )


def test_adam_matches_torch():
    compare(lambda p: Adam(p, lr=0.05), lambda t: torch.optim.Adam(t, lr=0.05))


def test_adam_with_betas_eps_and_weight_decay_matches_torch():
    compare(
        lambda p: Adam(p, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
        lambda t: torch.optim.Adam(t, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1),
    )


def test_a_learning_rate_schedule_matches_torch_lambda_lr():
    compare(
        lambda p: SGD(p, lr=lambda step: 0.2 * 0.5**step, momentum=0.5),
        lambda t: torch.optim.SGD(t, lr=0.2, momentum=0.5),
        schedule=lambda opt: torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 0.5**s),
    )


def test_step_is_w_minus_lr_grad_and_records_no_graph():
    w = Value(2.0)
    (w * w).backward()  # ∂/∂w w² = 4
    opt = SGD([w], lr=0.1)
    opt.step()
    assert w.data == pytest.approx(2.0 - 0.1 * 4.0)
    assert w.op == "" and w.inputs == () and w.requires_grad  # still the same leaf
    opt.zero_grad()
    assert w.grad == 0.0
    assert opt.steps == 1


def test_bad_optimizer_arguments_are_clear_errors():
    w = Value(1.0)
    with pytest.raises(ValueError, match="SGD: lr must be a finite number > 0, got -0.1"):
        SGD([w], lr=-0.1)
    with pytest.raises(ValueError, match="SGD: got an empty parameter list"):
        SGD([], lr=0.1)
    with pytest.raises(TypeError, match="not a single Value"):
        SGD(w, lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is a float"):
        Adam([w, 1.0])
    with pytest.raises(ValueError, match="Adam: betas must be two numbers in \\[0, 1\\)"):
        Adam([w], betas=(0.9, 1.5))
    opt = SGD([w], lr=lambda step: -1.0)
    with pytest.raises(ValueError, match="lr\\(0\\) \\(the schedule's value\\)"):
        opt.step()


def test_adam_needs_a_positive_eps():
    with pytest.raises(ValueError, match="eps"):
        Adam([Value(1.0)], eps=0.0)
