"""Plain-float log-sum-exp, log-softmax and binary cross-entropy, without cancellation.

The textbook ``m + log Σ e^(xᵢ − m)`` (m the largest xᵢ) loses digits three ways: xᵢ − m is
rounded, and e^(xᵢ − m) turns that rounding into a relative error of |xᵢ − m| ulp (300 ulp at
xᵢ − m ≈ −600); log(1 + s) for a small s forgets s; and adding m back, or subtracting a logit
afterwards, cancels two large nearly equal numbers (``cross_entropy([1e8, 1e8], 1)`` came out
as 0.6931471824645996 instead of log 2). Here

- every xᵢ − m is split exactly into hi + lo (Knuth's two-sum), and e^(hi + lo) is taken as
  e^hi + e^hi·lo, so each term is right to the last bit or so;
- the terms are added with ``math.fsum`` (correctly rounded), the largest one, 1, kept
  apart: log Σ = log1p(s), s = Σ over the others;
- a log-softmax is −((m − xᵢ) + log1p(s)), two numbers of the same sign;
- where m < 0 and log1p(s) nearly cancels it (|result| < log1p(s) / 2, a band of width
  2·log n below 0), the sum is redone in 40 significant digits with ``decimal``.

Each result is within a few ulp of the exact value for any finite input (``bench.accuracy``
and ``tests/test_losses_exact.py`` measure it against mpmath). Non-finite inputs give
PyTorch's answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal, localcontext

inf = math.inf
nan = math.nan
_exp = math.exp
_fsum = math.fsum
_log1p = math.log1p


def _exp_of_difference(a: float, b: float) -> float:
    """e^(a − b) for a ≤ b, with a − b taken exactly (two-sum) rather than rounded."""
    hi = a - b
    if hi < -746.0:  # e^hi underflows to 0 (also a = -inf, or a − b overflowing)
        return 0.0
    bv = a - hi
    lo = (a - (hi + bv)) + (bv - b)  # a − b = hi + lo exactly
    e = _exp(hi)
    return e + e * lo


def _terms(xs: Sequence[float], k: int, m: float) -> list[float]:
    """e^(xⱼ − m) for every j ≠ k (m = xs[k] is the largest)."""
    return [_exp_of_difference(x, m) for j, x in enumerate(xs) if j != k]


def _argmax(xs: Sequence[float]) -> int:
    k = 0
    for j, x in enumerate(xs):
        if x > xs[k]:
            k = j
    return k


def _degenerate(xs: Sequence[float]) -> bool:
    """True when an input is nan or +inf, or every input is -inf: PyTorch's formulas apply.
    (A -inf among finite inputs is ordinary: its term is 0.)"""
    m = -inf
    for x in xs:
        if x != x or x == inf:
            return True
        if x > m:
            m = x
    return m == -inf


def logsumexp(*xs: float) -> float:
    """log Σ e^xᵢ. As ``torch.logsumexp``: -inf when every xᵢ is -inf, inf with a +inf, nan
    with a nan; -inf for no inputs."""
    if not xs:
        return -inf
    if _degenerate(xs):
        if any(x != x for x in xs):
            return nan
        return max(xs)  # inf, or -inf when all are
    k = _argmax(xs)
    m = xs[k]
    log_sum = _log1p(_fsum(_terms(xs, k, m)))
    result = m + log_sum
    if m < 0 and abs(result) < 0.5 * log_sum:
        return _logsumexp_decimal(xs, m)
    return result


def _logsumexp_decimal(xs: Sequence[float], m: float) -> float:
    with localcontext() as ctx:
        ctx.prec = 40
        dm = Decimal(m)
        total = _dsum((Decimal(x) - dm).exp() for x in xs if x - m > -800.0)
        return float(dm + total.ln())


def _dsum(items) -> Decimal:
    total = Decimal(0)
    for item in items:
        total += item
    return total


def softmax_weights(xs: Sequence[float]) -> list[float]:
    """softmax(x)ⱼ = e^(xⱼ − m) / Σ e^(xᵢ − m), each within a few ulp (the gradient of
    logsumexp). With a nan or ±inf among the xᵢ: PyTorch's e^(xⱼ − logsumexp(x))."""
    if _degenerate(xs):
        lse = logsumexp(*xs)
        return [_exp(x - lse) for x in xs]  # nan where x - lse is inf - inf
    k = _argmax(xs)
    terms = _terms(xs, k, xs[k])
    terms.insert(k, 1.0)
    total = _fsum(terms)
    return [t / total for t in terms]


def log_softmax(target: float, *others: float) -> float:
    """log(e^t / (e^t + Σ e^oⱼ)) for t = ``target``: −((m − t) + log1p(s)), without the
    cancellation of t − logsumexp. nan when an input is nan or +inf, or all are -inf, as
    ``torch.log_softmax``."""
    xs = (target, *others)
    if _degenerate(xs):
        return nan
    k = _argmax(xs)
    if target == xs[k]:
        k = 0  # the target is a largest logit: no m − t at all
    m = xs[k]
    log_sum = _log1p(_fsum(_terms(xs, k, m)))
    hi = m - target  # ≥ 0, split exactly: m − t = hi + lo
    if hi == inf:
        return -inf
    tv = m - hi
    lo = (m - (hi + tv)) + (tv - target)
    return -(hi + (lo + log_sum))


def log_softmax_grads(target: float, *others: float) -> list[float]:
    """∂ log_softmax / ∂(t, o₁, …): 1 − softmax(t), then −softmax(oⱼ). 1 − softmax(t) is
    the sum of the others' weights, not a difference (it is tiny when t dominates)."""
    xs = (target, *others)
    if _degenerate(xs):
        return [nan] * len(xs)
    k = _argmax(xs)
    m = xs[k]
    terms = _terms(xs, k, m)
    terms.insert(k, 1.0)
    total = _fsum(terms)
    return [_fsum(terms[1:]) / total] + [-t / total for t in terms[1:]]


def binary_cross_entropy_with_logits(z: float, y: float) -> float:
    """softplus(z) − y·z as (1 − y)·z + log1p(e^−z) for z ≥ 0 and y·(−z) + log1p(e^z) for
    z < 0: both terms ≥ 0 for 0 ≤ y ≤ 1, so nothing cancels (bce(40, 1) = 4.2e-18, not 0).
    At z = ±inf, PyTorch's (1 − y)·z − logsigmoid(z)."""
    if z >= 0:
        if z == inf:
            return (1.0 - y) * z
        return (1.0 - y) * z + _log1p(_exp(-z))
    if z < 0:
        if z == -inf:
            return nan if 0 <= y <= 1 else (1.0 - y) * z + inf
        return y * -z + _log1p(_exp(z))
    return nan
