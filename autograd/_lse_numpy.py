"""Array forms of ``logsumexp``, ``log_softmax`` and ``binary_cross_entropy_with_logits``.

The batched replay (``autograd.tape_numpy``) runs these over numpy arrays, one row per sample.
They follow ``_lse.py`` step for step — xⱼ − m split exactly by two-sum, the largest term 1
kept apart, log1p of the rest, a log-softmax as −((m − t) + log1p(s)) — with ``np.sum`` in
place of ``math.fsum``, so a result differs from the float form's by a few ulp at most. The
rows where the float form takes another road (a nan or ±inf among the inputs, or the
log-sum-exp that ``_lse`` redoes in ``decimal`` because m + log1p(s) nearly cancels) are
computed by the float form itself, row by row: never an approximation.
"""

from __future__ import annotations

from typing import Any

from autograd import _lse as L


def rows(np, xs) -> Any:
    """The inputs x₁…xₖ (arrays over the batch, or numbers) as one array (batch, k)."""
    arrays = np.broadcast_arrays(*[np.asarray(x, dtype=np.float64) for x in xs])
    return np.stack(arrays, axis=-1).reshape(-1, len(xs))


def _degenerate(np, Z) -> Any:
    """Rows the float forms treat apart: a nan or +inf among them, or all -inf."""
    return np.isnan(Z).any(axis=1) | (Z == np.inf).any(axis=1) | (Z == -np.inf).all(axis=1)


def terms(np, Z, target=None) -> tuple:
    """(E, k): E[r, j] = e^(Z[r, j] − m_r), m_r the row's largest entry Z[r, k_r], with
    E[r, k_r] = 1 exactly. With ``target`` (an index per row), k_r is the target where it ties
    the largest, as ``_lse.log_softmax`` chooses."""
    n = Z.shape[0]
    at = np.arange(n)
    k = np.argmax(Z, axis=1)
    if target is not None:
        k = np.where(Z[at, target] == Z[at, k], target, k)
    m = Z[at, k][:, None]
    with np.errstate(all="ignore"):
        hi = Z - m
        bv = Z - hi
        lo = (Z - (hi + bv)) + (bv - m)  # Z − m = hi + lo exactly
        e = np.exp(hi)
        E = np.where(hi < -746.0, 0.0, e + e * lo)
    E[at, k] = 1.0
    return E, k


def logsumexp_rows(np, Z) -> Any:
    """log Σⱼ e^Z[r, j] for each row r."""
    n = Z.shape[0]
    E, k = terms(np, Z)
    at = np.arange(n)
    E_rest = E.copy()
    E_rest[at, k] = 0.0
    with np.errstate(all="ignore"):
        log_sum = np.log1p(E_rest.sum(axis=1))
        m = Z[at, k]
        out = m + log_sum
    redo = _degenerate(np, Z) | ((m < 0) & (np.abs(out) < 0.5 * log_sum))
    for r in np.flatnonzero(redo).tolist():
        out[r] = L.logsumexp(*Z[r].tolist())
    return out


def softmax_rows(np, Z) -> Any:
    """softmax of each row (the gradient of logsumexp)."""
    E, _ = terms(np, Z)
    with np.errstate(all="ignore"):
        W = E / E.sum(axis=1, keepdims=True)
    for r in np.flatnonzero(_degenerate(np, Z)).tolist():
        W[r] = L.softmax_weights(Z[r].tolist())
    return W


def log_softmax_rows(np, Z, target) -> Any:
    """log softmax(Z[r])[target_r] for each row r: −((m − t) + log1p(s))."""
    n = Z.shape[0]
    at = np.arange(n)
    E, k = terms(np, Z, target)
    E[at, k] = 0.0
    m, t = Z[at, k], Z[at, target]
    with np.errstate(all="ignore"):
        log_sum = np.log1p(E.sum(axis=1))
        hi = m - t
        tv = m - hi
        lo = (m - (hi + tv)) + (tv - t)
        out = -(hi + (lo + log_sum))
    out = np.where(hi == np.inf, -np.inf, out)
    for r in np.flatnonzero(_degenerate(np, Z)).tolist():
        z = Z[r].tolist()
        j = int(target[r])
        out[r] = L.log_softmax(z[j], *z[:j], *z[j + 1 :])
    return out


def log_softmax_grad_rows(np, Z, target) -> Any:
    """∂ log softmax(Z[r])[target_r] / ∂Z[r, j]: −softmaxⱼ, and 1 − softmax at the target taken
    as the sum of the other entries' weights (no cancellation when the target dominates)."""
    n = Z.shape[0]
    at = np.arange(n)
    E, _ = terms(np, Z)
    with np.errstate(all="ignore"):
        total = E.sum(axis=1)
        D = -E / total[:, None]
        others = E.copy()
        others[at, target] = 0.0
        D[at, target] = others.sum(axis=1) / total
    for r in np.flatnonzero(_degenerate(np, Z)).tolist():
        z = Z[r].tolist()
        j = int(target[r])
        d = L.log_softmax_grads(z[j], *z[:j], *z[j + 1 :])
        D[r] = [*d[1 : j + 1], d[0], *d[j + 1 :]]
    return D


def _shape(np, xs) -> tuple:
    return np.broadcast_shapes(*[np.shape(x) for x in xs])


def logsumexp_form(np) -> tuple:
    """(forward, vjp) of the primitive ``logsumexp`` on arrays."""

    def forward(*xs):
        return logsumexp_rows(np, rows(np, xs)).reshape(_shape(np, xs))

    def vjp(g, ans, *xs):
        W = softmax_rows(np, rows(np, xs))
        shape = _shape(np, xs)
        return [g * W[:, j].reshape(shape) for j in range(len(xs))]

    return forward, vjp


def log_softmax_form(np) -> tuple:
    """(forward, vjp) of the primitive ``log_softmax`` (the target first) on arrays."""

    def forward(*xs):
        Z = rows(np, xs)
        return log_softmax_rows(np, Z, np.zeros(Z.shape[0], dtype=np.intp)).reshape(_shape(np, xs))

    def vjp(g, ans, *xs):
        Z = rows(np, xs)
        D = log_softmax_grad_rows(np, Z, np.zeros(Z.shape[0], dtype=np.intp))
        shape = _shape(np, xs)
        return [g * D[:, j].reshape(shape) for j in range(len(xs))]

    return forward, vjp


def bce_form(np) -> tuple:
    """(forward, vjp) of ``binary_cross_entropy_with_logits`` on arrays; the non-finite logits,
    and the gradient's σ(z) − y (double-double in ``_floats``), by the float forms."""

    def forward(z, y):
        z, y = np.broadcast_arrays(np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64))
        with np.errstate(all="ignore"):
            out = np.where(
                z >= 0, (1.0 - y) * z + np.log1p(np.exp(-z)), y * -z + np.log1p(np.exp(z))
            )
        out = np.array(out, dtype=np.float64)
        flat, zf, yf = out.reshape(-1), z.reshape(-1), y.reshape(-1)
        for r in np.flatnonzero(~np.isfinite(zf)).tolist():
            flat[r] = L.binary_cross_entropy_with_logits(float(zf[r]), float(yf[r]))
        return out

    def vjp(g, ans, z, y):
        from autograd._floats import sigmoid_minus

        zb, yb = np.broadcast_arrays(
            np.asarray(z, dtype=np.float64), np.asarray(y, dtype=np.float64)
        )
        d = np.array(
            [sigmoid_minus(a, b) for a, b in zip(zb.reshape(-1).tolist(), yb.reshape(-1).tolist())],
            dtype=np.float64,
        ).reshape(zb.shape)
        return g * d, -(g * z)

    return forward, vjp
