"""Losses: values and gradients against PyTorch (float64), extreme logits included."""

import math

import pytest

from autograd import Value
from nn import MLP, binary_cross_entropy, cross_entropy, hinge_loss, l2_penalty, mse_loss

torch = pytest.importorskip("torch")
F = torch.nn.functional

PREDICTIONS = [0.3, -1.7, 2.5, 0.0, -0.2]
EXTREME = [1000.0, -1000.0, 0.5, 999.0, -999.5]


def ours(loss_fn, predictions, targets):
    """Our loss and its gradient with respect to each prediction."""
    ps = [Value(p) for p in predictions]
    loss = loss_fn(ps, targets)
    loss.backward()
    return loss.data, [p.grad for p in ps]


def theirs(torch_loss, predictions, targets):
    ps = torch.tensor(predictions, dtype=torch.float64, requires_grad=True)
    loss = torch_loss(ps, torch.tensor(targets, dtype=torch.float64))
    loss.backward()
    return loss.item(), ps.grad.tolist()


def assert_same(a, b):
    (value_a, grads_a), (value_b, grads_b) = a, b
    assert math.isfinite(value_a)
    assert value_a == pytest.approx(value_b, rel=1e-12, abs=1e-12)
    assert grads_a == pytest.approx(grads_b, rel=1e-12, abs=1e-12)


def torch_hinge(s, y):  # max(0, 1 - y·s), mean: written with torch ops
    return torch.clamp(1 - y * s, min=0).mean()


@pytest.mark.parametrize("predictions", [PREDICTIONS, EXTREME])
def test_mse_loss_matches_torch(predictions):
    targets = [1.0, -1.0, 0.5, 2.0, 0.0]
    assert_same(ours(mse_loss, predictions, targets), theirs(F.mse_loss, predictions, targets))


@pytest.mark.parametrize("predictions", [PREDICTIONS, EXTREME])
def test_hinge_loss_matches_torch(predictions):
    labels = [1, -1, -1, 1, 1]
    assert_same(
        ours(hinge_loss, predictions, labels),
        theirs(torch_hinge, predictions, [float(v) for v in labels]),
    )


@pytest.mark.parametrize("predictions", [PREDICTIONS, EXTREME])
def test_binary_cross_entropy_matches_torch(predictions):
    targets = [1.0, 0.0, 0.0, 1.0, 0.3]
    assert_same(
        ours(binary_cross_entropy, predictions, targets),
        theirs(F.binary_cross_entropy_with_logits, predictions, targets),
    )


def test_binary_cross_entropy_of_extreme_wrong_logits_is_large_but_finite():
    z = Value(-1000.0)
    loss = binary_cross_entropy(z, 1)
    loss.backward()
    assert loss.data == pytest.approx(1000.0)
    assert z.grad == pytest.approx(-1.0)


@pytest.mark.parametrize(
    "logits",
    [
        [[0.2, -1.0, 3.0], [1.5, 1.5, -0.5], [0.0, 0.0, 0.0], [-2.0, 4.0, 1.0]],
        [
            [1000.0, -1000.0, 0.0],
            [-1000.0, 1000.0, 999.0],
            [1000.0, 1000.0, -1000.0],
            [-1000.0, -1000.0, -1000.0],
        ],
    ],
)
def test_cross_entropy_matches_torch(logits):
    classes = [2, 0, 1, 0]
    zs = [[Value(v) for v in row] for row in logits]
    loss = cross_entropy(zs, classes)
    loss.backward()
    t = torch.tensor(logits, dtype=torch.float64, requires_grad=True)
    reference = F.cross_entropy(t, torch.tensor(classes))
    reference.backward()
    assert math.isfinite(loss.data)
    assert loss.data == pytest.approx(reference.item(), rel=1e-12, abs=1e-12)
    ours_grad = [v.grad for row in zs for v in row]
    assert ours_grad == pytest.approx(t.grad.flatten().tolist(), abs=1e-12)
    # and one sample on its own (no batch mean)
    single = cross_entropy(zs[1], classes[1])
    expected = F.cross_entropy(t[1:2].detach(), torch.tensor(classes[1:2])).item()
    assert single.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def test_single_prediction_is_the_per_sample_loss():
    assert mse_loss(Value(3.0), 1.0).data == 4.0
    assert hinge_loss(Value(0.25), -1).data == 1.25
    assert hinge_loss(Value(2.0), 1).data == 0.0
    assert binary_cross_entropy(Value(0.0), 1).data == pytest.approx(math.log(2))


def test_the_documents_loss_is_half_mse():
    # L = ½(a − y)², ∂L/∂a = a − y
    a = Value(0.8)
    loss = 0.5 * mse_loss(a, 1.0)
    loss.backward()
    assert loss.data == pytest.approx(0.5 * 0.2**2)
    assert a.grad == pytest.approx(-0.2)


def test_l2_penalty_matches_torch_and_sgd_weight_decay():
    model = MLP(2, [3, 1], seed=0)
    params = model.parameters()
    penalty = l2_penalty(params, 0.1)
    penalty.backward()
    t = torch.tensor([p.data for p in params], dtype=torch.float64, requires_grad=True)
    reference = 0.5 * 0.1 * (t**2).sum()
    reference.backward()
    assert penalty.data == pytest.approx(reference.item(), rel=1e-12)
    assert [p.grad for p in params] == pytest.approx(t.grad.tolist(), rel=1e-12)
    assert [p.grad for p in params] == pytest.approx([0.1 * p.data for p in params], rel=1e-12)


def test_bad_targets_are_clear_errors():
    with pytest.raises(
        ValueError, match="hinge_loss: labels must be -1 or \\+1, got 0 .*signed_labels"
    ):
        hinge_loss([Value(0.1)], [0])
    with pytest.raises(ValueError, match="binary_cross_entropy: targets must be in \\[0, 1\\]"):
        binary_cross_entropy(Value(0.1), -1)
    with pytest.raises(
        ValueError, match="cross_entropy: the target must be a class index in 0..2, got 3"
    ):
        cross_entropy([Value(0.0)] * 3, 3)
    with pytest.raises(ValueError, match="mse_loss: 2 predictions but 1 targets"):
        mse_loss([Value(0.0), Value(1.0)], [1.0])
    with pytest.raises(TypeError, match="mse_loss: targets must be numbers, got str"):
        mse_loss(Value(0.0), "1")


def test_cross_entropy_accepts_any_integer_class_index():
    np = pytest.importorskip("numpy")
    z = [Value(0.5), Value(-1.0), Value(2.0)]
    expected = math.log(sum(math.exp(v.data) for v in z)) - z[2].data  # log-sum-exp by hand
    assert cross_entropy(z, np.int64(2)).data == pytest.approx(expected, rel=1e-12)
