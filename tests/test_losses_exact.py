"""Every loss within 4 ulp of the exact value, and its gradient too, at any magnitude.

The exact values come from mpmath (50 digits), written in the shifted forms that need no
cancellation (log Σ e^xⱼ = m + log Σ e^(xⱼ − m), ...), so they are right even where floats
would not be. Logits are swept over the whole float range: magnitudes log-uniform from
1e-300 to 1e308 with both signs, close values (a shared base and tiny offsets), and mixes of
huge and tiny ones, and logits hundreds apart (e^(xⱼ − m) down to e^-740, where a rounded
xⱼ − m would cost hundreds of ulp); plus the public bug reports' points.
"""

import math
import random

import pytest

import autograd
from autograd import Value
from bench.accuracy import log_uniform, ulp_error
from nn import binary_cross_entropy, cross_entropy, hinge_loss, mse_loss

mp = pytest.importorskip("mpmath")

ULP = 4.0
N = 400  # draws per loss; each checks a value and every gradient


def logit(rng: random.Random) -> float:
    kind = rng.random()
    if kind < 0.6:
        x = log_uniform(rng, -997, 1023)  # 1e-300 … 1.8e308
    elif kind < 0.8:
        x = rng.uniform(0, 50)
    else:
        x = log_uniform(rng, -997, -900)  # tiny
    return x if rng.random() < 0.5 else -x


def logits(rng: random.Random, n: int) -> list[float]:
    kind = rng.random()
    if kind < 0.25:  # one near 0, the others up to 740 below: e^(xⱼ − m) from 1 down to e^-740
        xs = [rng.uniform(-1, 1)] + [-rng.uniform(0, 740) for _ in range(n - 1)]
        rng.shuffle(xs)
        return xs
    if kind < 0.55:  # close to each other: a shared base, offsets of a few ulp to units
        base = logit(rng)
        spread = rng.choice((1.0, abs(base) * 2**-50, abs(base) * 1e-8))
        return [base + rng.uniform(-3, 3) * spread for _ in range(n)]
    return [logit(rng) for _ in range(n)]


def check(what: str, got: float, exact) -> None:
    error = ulp_error(got, exact)
    assert error <= ULP, f"{what}: {got!r}, exact {mp.nstr(exact, 20)}: {error:.3g} ulp"


def lse_parts(xs):
    """(m, log Σ e^(xⱼ − m), [e^(xⱼ − m)]) exactly (50 digits)."""
    m = max(xs)
    terms = [mp.exp(mp.mpf(x) - m) for x in xs]
    k = xs.index(m)
    return mp.mpf(m), mp.log1p(others(terms, k)), terms


def others(terms, i):
    """Σ_{j≠i} terms[j], not Σ − terms[i] (which would keep only the digits left over)."""
    return mp.fsum(t for j, t in enumerate(terms) if j != i)


@pytest.fixture(autouse=True)
def digits():
    with mp.workdps(50):
        yield


def test_logsumexp_and_log_softmax_sweep():
    rng = random.Random(10)
    for _ in range(N):
        xs = logits(rng, rng.randint(1, 5))
        m, log_sum, terms = lse_parts(xs)
        total = mp.fsum(terms)
        vs = [Value(x) for x in xs]
        lse = autograd.logsumexp(vs)
        lse.backward()
        check(f"logsumexp{xs}", lse.data, m + log_sum)
        for x, v, t in zip(xs, vs, terms):
            check(f"∂logsumexp{xs}/∂{x!r}", v.grad, t / total)
        i = rng.randrange(len(xs))
        vs = [Value(x) for x in xs]
        ls = autograd.log_softmax(vs)[i]
        ls.backward()
        check(f"log_softmax{xs}[{i}]", ls.data, (mp.mpf(xs[i]) - m) - log_sum)
        for j, (v, t) in enumerate(zip(vs, terms)):
            expected = others(terms, i) / total if j == i else -t / total
            check(f"∂log_softmax{xs}[{i}]/∂x{j}", v.grad, expected)


def test_cross_entropy_sweep_single_and_batched():
    rng = random.Random(11)
    for _ in range(N // 2):
        rows = [logits(rng, rng.randint(2, 4)) for _ in range(rng.choice((1, 1, 3)))]
        targets = [rng.randrange(len(r)) for r in rows]
        vs = [[Value(x) for x in r] for r in rows]
        loss = cross_entropy(
            vs if len(rows) > 1 else vs[0], targets if len(rows) > 1 else targets[0]
        )
        loss.backward()
        n = len(rows)
        exact_losses = []
        for r, y, row_vs in zip(rows, targets, vs):
            m, log_sum, terms = lse_parts(r)
            total = mp.fsum(terms)
            exact_losses.append((m - r[y]) + log_sum)
            for j, (v, t) in enumerate(zip(row_vs, terms)):
                expected = -others(terms, y) / total if j == y else t / total
                check(f"∂cross_entropy{r}, {y}/∂z{j}", v.grad, expected / n)
        check(f"cross_entropy{rows}, {targets}", loss.data, mp.fsum(exact_losses) / n)


def test_binary_cross_entropy_sweep():
    rng = random.Random(12)
    for _ in range(N):
        z = logit(rng)
        y = rng.choice((0.0, 1.0, rng.random(), 0.5))
        v = Value(z)
        loss = binary_cross_entropy(v, y)
        loss.backward()
        Z, Y = mp.mpf(z), mp.mpf(y)
        exact = (1 - Y) * Z + mp.log1p(mp.exp(-Z)) if z >= 0 else -Y * Z + mp.log1p(mp.exp(Z))
        check(f"binary_cross_entropy({z!r}, {y!r})", loss.data, exact)
        sigmoid_minus_y = mp.tanh(Z / 2) / 2 + (mp.mpf(0.5) - Y)  # σ(z) − y, no cancellation
        check(f"∂binary_cross_entropy({z!r}, {y!r})/∂z", v.grad, sigmoid_minus_y)


def test_mse_and_hinge_sweep():
    rng = random.Random(13)
    for _ in range(N):
        p, t = logit(rng) * 1e-155, logit(rng) * 1e-155  # squares within range
        v = Value(p)
        loss = mse_loss(v, t)
        loss.backward()
        d = mp.mpf(p) - mp.mpf(t)
        check(f"mse_loss({p!r}, {t!r})", loss.data, d * d)
        check(f"∂mse_loss({p!r}, {t!r})", v.grad, 2 * d)
        s, label = logit(rng), rng.choice((-1, 1))
        v = Value(s)
        loss = hinge_loss(v, label)
        loss.backward()
        margin = 1 - mp.mpf(s) * label
        check(f"hinge_loss({s!r}, {label})", loss.data, max(margin, 0))
        check(f"∂hinge_loss({s!r}, {label})", v.grad, -label if margin > 0 else 0)


@pytest.mark.parametrize(
    "zs, target, exact",
    [
        ([1e8, 1e8], 1, "log(2)"),
        ([1e308, 1e308], 0, "log(2)"),
        ([-1e300] * 3, 1, "log(3)"),
        ([1e308, -1e308], 0, "0"),
        ([0.0, -40.0], 0, "log1p(exp(-40))"),
    ],
)
def test_the_reported_cross_entropy_points(zs, target, exact):
    loss = cross_entropy([Value(z) for z in zs], target)
    check(f"cross_entropy({zs}, {target})", loss.data, mp.mpf(eval_mp(exact)))


def eval_mp(expression: str):
    return {
        "log(2)": mp.log(2),
        "log(3)": mp.log(3),
        "0": mp.mpf(0),
        "log1p(exp(-40))": mp.log1p(mp.exp(-40)),
    }[expression]


def test_the_reported_binary_cross_entropy_points():
    assert binary_cross_entropy(Value(40.0), 1.0).data == 4.248354255291589e-18
    for z in (30.0, 40.0, 700.0):
        check(f"bce({z}, 1)", binary_cross_entropy(Value(z), 1.0).data, mp.log1p(mp.exp(-z)))


def test_non_finite_logits_follow_torch():
    torch = pytest.importorskip("torch")
    inf, nan = math.inf, math.nan
    for xs in ([-inf, -inf], [inf, 1.0], [inf, -inf], [nan, 1.0], [-inf, 0.0], [1e308, -1e308]):
        vs = [Value(x) for x in xs]
        lse = autograd.logsumexp(vs)
        lse.backward()
        t = torch.tensor(xs, dtype=torch.float64, requires_grad=True)
        ref = torch.logsumexp(t, 0)
        ref.backward()
        assert same(lse.data, ref.item()), (xs, lse.data, ref.item())
        assert all(same(v.grad, g) for v, g in zip(vs, t.grad.tolist())), (xs, [v.grad for v in vs])
        ls = autograd.log_softmax([Value(x) for x in xs])
        t_ls = torch.log_softmax(torch.tensor(xs, dtype=torch.float64), 0).tolist()
        assert all(same(a.data, b) for a, b in zip(ls, t_ls)), (xs, [a.data for a in ls], t_ls)


def same(a: float, b: float) -> bool:
    return a == b or (a != a and b != b)
