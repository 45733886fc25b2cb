"""Tests for the mutants of ``autograd/_floats.py`` that the rest of the suite let survive.

``python -m bench.mutation`` changes one token of the engine at a time and runs the tests that
execute the changed line; each test here kills mutants of ``autograd/_floats.py`` that survived
that run (bench/MUTATION_FLOATS.md lists every survivor and its verdict). The references are
independent of the engine: mpmath (the exact value, rounded once to a double), PyTorch float64
on the CPU where PyTorch's float semantics are the spec, and closed forms.

Most of these mutants change a result by an ulp at a few inputs only (a Taylor coefficient, a
correction term of a double-double sum): an accuracy sweep over the branch the mutant sits in,
plus the inputs a search found where the mutant rounds the other way, catches them.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

from autograd import _floats as F

mpmath = pytest.importorskip("mpmath")


def _correct(exact) -> float:
    """The exact value rounded once to the nearest double (mpmath rounds to nearest)."""
    return float(exact)


def _uniform(rng: random.Random, lo: float, hi: float, n: int) -> list[float]:
    return [rng.uniform(lo, hi) for _ in range(n)]


def _log_uniform(rng: random.Random, lo: float, hi: float, n: int) -> list[float]:
    return [math.exp(rng.uniform(math.log(lo), math.log(hi))) for _ in range(n)]


def _around(points, steps: int = 3) -> list[float]:
    """Each point and its neighbours up to ``steps`` floats away."""
    out = []
    for x in points:
        y = z = x
        out.append(x)
        for _ in range(steps):
            y, z = math.nextafter(y, math.inf), math.nextafter(z, -math.inf)
            out += [y, z]
    return out


def _mismatches(f, exact, xs) -> list[tuple[float, float, float]]:
    """(x, f(x), the correctly rounded value) wherever f(±x) is not correctly rounded."""
    bad = []
    with mpmath.workdps(40):
        for x in xs:
            for v in (x, -x):
                want = _correct(exact(mpmath.mpf(v)))
                got = f(v)
                if got != want:
                    bad.append((v, got, want))
    return bad


# --- tanh: correctly rounded on each of its branches ---------------------------------------

# Inputs where a mutant of tanh rounds the other way and tanh itself is correctly rounded,
# found by comparing mutant and original over random inputs: the series' last coefficients
# (62/2835 → 63/2835, 62/2836) near 1/64; the terms of e^v's series and of the product with
# the table entry in the double-double branch; its bound.
TANH_HARD = (
    0.014574910910468766,
    0.014099193963731894,
    0.01501304951114823,
    0.014910652345312173,
    0.015328929326277782,
    0.014470506314908494,
    0.815377529002264,
    0.42493152751565305,
    0.6765576445555045,
    1.1148179557029223,
    0.02633990723763928,
    0.817215260583163,
    0.016633883168319125,
    0.040537446247583764,
    0.8347868597977629,
    0.503804301159333,
    0.11002313283832423,
    0.20510551238804578,
    3.1259879125288386,  # the double-double's bound moved from 3 to 4
)

# The branch points of tanh: 2^-27 (tanh x rounds to x below), 1/64 (series / double-double),
# 3 (double-double / 1 − 2e/(1 + e)), 19.1 (±1 beyond).
TANH_BOUNDS = (2.0**-27, 1 / 64, 3.0, 19.1)


def test_tanh_is_correctly_rounded_on_every_branch():
    # guards: every coefficient, bound and operator of tanh's series, double-double quotient
    # and e^-2|x| (table index, reduction by ln 2, Taylor terms of e^v), and its sign handling
    rng = random.Random(11)
    xs = [
        *_log_uniform(rng, 1e-300, 2.0**-27, 200),
        *_log_uniform(rng, 2.0**-27, 1 / 64, 800),
        *_uniform(rng, 0.0125, 1 / 64, 800),  # where the series' last terms show
        *_uniform(rng, 1 / 64, 3.0, 1500),
        *_uniform(rng, 3.0, 19.1, 400),
        *_uniform(rng, 19.1, 40.0, 100),
        *_around(TANH_BOUNDS),
        *TANH_HARD,
    ]
    assert not _mismatches(F.tanh, mpmath.tanh, xs)


def test_tanh_of_zeros_infinities_and_nan():
    # guards: the early returns (x itself below 2^-27, ±1 beyond 19.1, nan passed through)
    for x in (0.0, -0.0, 5e-324, -5e-324):
        assert math.copysign(1.0, F.tanh(x)) == math.copysign(1.0, x)
        assert F.tanh(x) == x
    assert F.tanh(math.inf) == 1.0
    assert F.tanh(-math.inf) == -1.0
    assert math.isnan(F.tanh(math.nan))


# --- cos near its zeros ±π/2, ±3π/2: the series of the distance, correctly rounded ----------


def test_cos_near_its_zeros_is_correctly_rounded():
    # guards: the three parts of π/2 and 3π/2, the window |r| < 9.5e-7 and the series ∓r ± r³/6
    rng = random.Random(12)
    xs = []
    for zero in (math.pi / 2, 3 * math.pi / 2):
        xs += _around([zero], 40)
        xs += [zero + d for d in _uniform(rng, -1.2e-6, 1.2e-6, 400)]
        xs += [zero + d for d in _log_uniform(rng, 1e-15, 1.2e-6, 200)]
        xs += [zero - d for d in _log_uniform(rng, 1e-15, 1.2e-6, 200)]
        xs += _around([zero + 9.5e-7, zero - 9.5e-7], 3)
    # hard cases: the series with r³ for the cube of the distance r − lo rounded these wrongly
    xs += [4.712389702284336, 4.712388144058851]
    assert not _mismatches(F.cos, mpmath.cos, xs)


# --- e^x in double-double (sigmoid_minus's exponential) ---------------------------------------


def test_exp_in_double_double_is_accurate_to_2_to_the_minus_60():
    # guards: the reduction x = k·ln 2 + j/256 + v (ln 2 in two parts, the table of e^(j/256)),
    # e^v's Taylor terms, the product with the table entry and the final two-sum
    rng = random.Random(13)
    ln2 = math.log(2)
    xs = _uniform(rng, -44.0, 44.0, 1500)
    xs += [k * ln2 / 2 + d for k in range(-126, 127) for d in (-1e-9, 1e-9)]  # k rounds
    xs += [j / 512 + d for j in range(-180, 181) for d in (-1e-12, 1e-12)]  # j rounds
    xs += _log_uniform(rng, 1e-20, 1e-3, 100)
    with mpmath.workdps(40):
        for x in xs:
            hi, lo = F._exp_dd(x)
            exact = mpmath.exp(mpmath.mpf(x))
            assert abs((mpmath.mpf(hi) + lo - exact) / exact) < 2.0**-60, x
            assert abs(lo) <= math.ulp(hi) / 2, x  # hi + lo normalised


def test_double_double_quotient_is_accurate_to_2_to_the_minus_100():
    # guards: Dekker's split of q and d, the exact product's error terms and the remainder
    rng = random.Random(14)
    with mpmath.workdps(60):
        for _ in range(1500):
            n = rng.uniform(-2.0, 2.0)
            d = rng.uniform(1.0, 2.0) * rng.choice((1.0, 1e-3, 1e3))
            n_lo = n * rng.uniform(-1.2e-16, 1.2e-16)
            d_lo = d * rng.uniform(-1.2e-16, 1.2e-16)
            q, c = F._quotient2(n, n_lo, d, d_lo)
            exact = (mpmath.mpf(n) + n_lo) / (mpmath.mpf(d) + d_lo)
            assert abs(mpmath.mpf(q) + c - exact) <= 2.0**-100 * abs(exact), (n, n_lo, d, d_lo)


# --- special values: the float PyTorch gives, sign of zero and infinity included ---------------

SPECIAL = (
    *(0.0, -0.0, math.inf, -math.inf, math.nan, 1.0, -1.0, 2.0, -2.0, 3.0, -3.0),
    *(0.5, -0.5, 2.5, -2.5, 5e-324, -5e-324, 1e308, -1e308, 1e-300, -1e-300),
    *(700.0, 710.0, -745.0, -746.0, 1e16, -1e16),
)


def _same(ours: float, torchs: float) -> bool:
    """nan for nan; zeros and infinities with their sign; else within 2 ulp (the libms differ)."""
    if ours != ours or torchs != torchs:
        return ours != ours and torchs != torchs
    if 0.0 in (ours, torchs) or math.inf in (abs(ours), abs(torchs)):
        return ours == torchs and math.copysign(1.0, ours) == math.copysign(1.0, torchs)
    return abs(ours - torchs) <= 2 * math.ulp(torchs)


def test_special_values_match_pytorch():
    # guards: the special cases of div, power (0 ** -y, overflow with a negative base), log,
    # sqrt, the inverse trigonometric domains, floor/ceil/trunc's zeros, fmod, remainder,
    # floor_divide, maximum/minimum/clamp/amax/amin's nan and ties, relu, leaky_relu and elu
    # at ±0, sign
    torch = pytest.importorskip("torch")

    def t(x: float):
        return torch.tensor(x, dtype=torch.float64)

    functional = torch.nn.functional
    unary = {
        "exp": torch.exp,
        "log": torch.log,
        "sqrt": torch.sqrt,
        "sin": torch.sin,
        "cos": torch.cos,
        "tanh": torch.tanh,
        "softplus": functional.softplus,
        "relu": torch.relu,
        "asin": torch.asin,
        "acos": torch.acos,
        "acosh": torch.acosh,
        "log2": torch.log2,
        "exp2": torch.exp2,
        "floor": torch.floor,
        "ceil": torch.ceil,
        "trunc": torch.trunc,
        "round_half_even": torch.round,
        "softsign": functional.softsign,
    }
    binary = {
        "div": torch.div,
        "power": torch.pow,
        "fmod": torch.fmod,
        "remainder": torch.remainder,
        "floor_divide": lambda a, b: torch.div(a, b, rounding_mode="floor"),
        "trunc_divide": lambda a, b: torch.div(a, b, rounding_mode="trunc"),
        "maximum": torch.maximum,
        "minimum": torch.minimum,
        "hypot": torch.hypot,
    }
    bad = []
    for name, reference in unary.items():
        for x in SPECIAL:
            ours, theirs = getattr(F, name)(x), reference(t(x)).item()
            if not _same(ours, theirs):
                bad.append((name, x, ours, theirs))
    for name, reference in binary.items():
        for x in SPECIAL:
            for y in SPECIAL:
                ours, theirs = getattr(F, name)(x, y), reference(t(x), t(y)).item()
                if not _same(ours, theirs):
                    bad.append((name, x, y, ours, theirs))
    for x in SPECIAL[:15]:
        for low in SPECIAL[:15]:
            for high in SPECIAL[:15]:
                ours, theirs = F.clamp(x, low, high), torch.clamp(t(x), t(low), t(high)).item()
                if not _same(ours, theirs):
                    bad.append(("clamp", x, low, high, ours, theirs))
    for n in (1, 2, 3):  # amax/amin: the first of equals (signed zeros), nan if any is nan
        for xs in itertools.product(SPECIAL[:11], repeat=n):
            for name, reference in (("amax", torch.amax), ("amin", torch.amin)):
                ours, theirs = getattr(F, name)(*xs), reference(t(list(xs))).item()
                if not _same(ours, theirs):
                    bad.append((name, xs, ours, theirs))
    for x in SPECIAL:  # sign is the derivative of |x|: PyTorch's abs' (0 at ±0 and nan)
        leaf = t(x).requires_grad_()
        leaf.abs().backward()
        if not _same(F.sign(x), leaf.grad.item()):
            bad.append(("sign", x, F.sign(x), leaf.grad.item()))
    for x in SPECIAL:
        for slope in (0.01, 0.0, 2.0, -0.5, math.inf):
            ours, theirs = F.leaky_relu(x, slope), functional.leaky_relu(t(x), slope).item()
            if not _same(ours, theirs):
                bad.append(("leaky_relu", x, slope, ours, theirs))
            ours, theirs = F.elu(x, slope), functional.elu(t(x), slope).item()
            if not _same(ours, theirs):
                bad.append(("elu", x, slope, ours, theirs))
    assert not bad


# --- cos everywhere: within an ulp (math.cos away from the zeros' windows) ---------------------


def test_cos_is_within_an_ulp_across_its_periods():
    # guards: the windows around ±π/2 and ±3π/2 (a widened window puts the cubic series where
    # it is wrong in the fourth digit)
    rng = random.Random(15)
    xs = _uniform(rng, -10.0, 10.0, 2000) + _log_uniform(rng, 1e-9, 2.0, 300)
    # where a zero's constant off by one (π/2 + 1, 3π/2 + 1) would put the window
    xs += _around([math.pi / 2 + 1.0, 3 * math.pi / 2 + 1.0], 2)
    with mpmath.workdps(40):
        for x in xs:
            exact = mpmath.cos(mpmath.mpf(x))
            assert abs(F.cos(x) - exact) <= math.ulp(_correct(exact)), x


# --- sigmoid_minus: σ(x) − y from σ(x) in double-double (bce's gradient) ----------------------

# (x, y) where a mutant of e^x's double-double (_exp_dd: e^v's Taylor terms, the product with
# the table entry, the table index) rounds σ(x) − y the other way, and the original is right.
SIGMOID_MINUS_HARD = (
    (5.277539481256163, 1.0),
    (-0.06454342093863374, 0.5),
    (-0.1342523780571767, 0.0),
    (-28.75216715579749, 0.0),
    (-29.513904962875632, 0.0),
    (12.878879035579189, 1.0),
    (-40.5209032572942, 0.0),
    (-16.069561097010382, 0.0),
    (-18.946020278910222, 0.0),
    (-21.726916555405612, 0.0),
    # the branch bounds moved (x ≥ 0 → x ≥ 1; the tails x > 37 → 38, x < −42 → −43)
    (0.02110834142221607, 0.5),
    (0.41808270913696943, 0.5),
    (-42.40662275460889, 0.0),
    (-42.561490803367946, 0.0),
    (37.499123212064646, 1.0),
    (37.28793547926532, 1.0),
    (-42.0, 5.101936892058644e-19),  # x < −42 → x ≤ −42, y as small as σ(−42)
    (-42.0, 6.165386164703347e-19),
)


def _sigmoid(x):
    return 1 / (1 + mpmath.exp(-x))


def test_sigmoid_minus_is_correctly_rounded_at_a_hard_target():
    # guards: e^x's double-double inside sigmoid_minus, below double resolution but for these
    with mpmath.workdps(50):
        for x, y in SIGMOID_MINUS_HARD:
            assert F.sigmoid_minus(x, y) == _correct(_sigmoid(mpmath.mpf(x)) - y), (x, y)


def test_sigmoid_minus_with_a_hard_target_is_sigma_correctly_rounded():
    # guards: both branches (x ≥ 0: 1/(1 + e^-x); x < 0: e^x/(1 + e^x)), their bounds, and the
    # quotient's correction; y = 0, and y = 1 for σ ≥ 1/2, are exact subtractions (σ − 1 for
    # σ < 1/2 rounds twice: not asserted)
    rng = random.Random(16)
    xs = _uniform(rng, -42.0, 37.0, 1500) + _log_uniform(rng, 1e-20, 37.0, 300)
    xs += _around([0.0, 37.0, 42.0, 1.0], 2)
    with mpmath.workdps(50):
        for x in xs:
            for v in (x, -x):
                if -42.0 <= v <= 37.0:
                    sigma = _sigmoid(mpmath.mpf(v))
                    assert F.sigmoid_minus(v, 0.0) == _correct(sigma), v
                    if -20.0 <= v <= 0:  # σ(−v) − 1 = −σ(v), σ(−v) ≥ 1/2, −σ(v) ≫ 2^-100
                        assert F.sigmoid_minus(-v, 1.0) == _correct(-sigma), v


def test_sigmoid_minus_in_its_tails_is_within_an_ulp():
    # guards: the tails x > 37 ((1 − y) − e^-x, 1 for y = 0) and x < −42 (e^x − y): their
    # signs, the 1 − y, the y = 0 case
    rng = random.Random(17)
    xs = _uniform(rng, 37.0, 60.0, 300) + _uniform(rng, 60.0, 800.0, 50) + _around([37.0], 2)
    with mpmath.workdps(50):
        for x in xs:
            for v in (x, -x - 5.0):
                for y in (0.0, 0.25, 0.5, 0.75, 1.0):
                    exact = _sigmoid(mpmath.mpf(v)) - y
                    if y == 1.0:  # σ(v) − 1 = −σ(−v), without cancelling in 50 digits
                        exact = -_sigmoid(-mpmath.mpf(v))
                    want = _correct(exact)
                    got = F.sigmoid_minus(v, y)
                    assert abs(got - exact) <= math.ulp(want), (v, y, got, want)


# --- floor_divide where (a − fmod(a, b)) / b is not an integer -------------------------------

# a / b close to an integer n, where (a − fmod(a, b)) / b rounds just below n (the result is n)
# or lands on n − ½ (PyTorch's result is n − 1, ties rounding down).
FLOOR_DIVIDE_HARD = (
    (19399577.581447605, 5.008541189680321),
    (-279218.0610911272, -1.3387772513263547),
    (83211923350.7428, 9.74741367522571),
    (-6270429932069217.0, -1.6452414674606304),
    (-9113078446725342.0, -2.5100841899819137),
    (1.8368834787465424e16, 4.114273580635267),
)


def test_floor_divide_near_integer_quotients_matches_pytorch():
    # guards: the last step of floor_divide (floor(q), + 1 when q is just below an integer)
    torch = pytest.importorskip("torch")
    rng = random.Random(18)
    pairs = list(FLOOR_DIVIDE_HARD)
    for _ in range(1500):
        b = rng.uniform(0.1, 10.0) * rng.choice((1.0, -1.0))
        n = rng.randint(2, 2 ** rng.randint(2, 52))
        pairs.append((n * b * (1 + rng.uniform(-1e-15, 1e-15)), b))
    a = torch.tensor([p[0] for p in pairs], dtype=torch.float64)
    b = torch.tensor([p[1] for p in pairs], dtype=torch.float64)
    theirs = torch.div(a, b, rounding_mode="floor").tolist()
    ours = [F.floor_divide(x, y) for x, y in pairs]
    assert [(p, o, t) for p, o, t in zip(pairs, ours, theirs) if o != t] == []


# --- sigmoid: 1/(1 + e^-x) with the rounding of 1 + e taken back ------------------------------

# Inputs where a mutant of sigmoid (the branch bound x ≥ 0 → x ≥ 1, the correction term's
# signs and factors q·q, (e − (d − 1))/d) rounds the other way and sigmoid is correctly rounded.
SIGMOID_HARD = (
    1.6282663154557508e-15,
    3.6298115842490957e-14,
    6.612906259084804e-07,
    9.069807759222309e-14,
    2.5889265778953217,
    11.794643437222696,
    -2.9108126641741253e-06,
    -3.0517107822882514e-12,
    7.724200184171317e-14,
    10.390610017288111,
    15.26630007062441,
    7.22677592819737,
    7.608210099882726,
    19.978051034711555,
    -4.146026818718454,
    -4.494603451615816,
    -16.23281563826734,
    -4.167110027160698e-12,
    -18.84426344183323,
    -1.3564314627424397e-11,
)


def test_sigmoid_is_correctly_rounded_at_inputs_where_its_correction_matters():
    # guards: sigmoid's branch bound and the correction q − q²·(e − (d − 1)) (x ≥ 0) and
    # q − q·(e − (d − 1))/d (x < 0)
    with mpmath.workdps(50):
        for x in SIGMOID_HARD:
            assert F.sigmoid(x) == _correct(_sigmoid(mpmath.mpf(x))), x


def test_sigmoid_is_within_two_ulp():
    # guards: sigmoid's operators (a wrong sign or factor in the correction costs an ulp or more
    # at some inputs); the bound: e^x, the quotient and the correction each round once
    rng = random.Random(19)
    xs = _uniform(rng, -40.0, 40.0, 1500) + _log_uniform(rng, 1e-18, 40.0, 500)
    xs += _uniform(rng, -745.0, -40.0, 100)
    with mpmath.workdps(50):
        for x in xs:
            for v in (x, -x):
                exact = _sigmoid(mpmath.mpf(v))
                assert abs(F.sigmoid(v) - exact) <= 2 * math.ulp(_correct(exact)), v
    assert F.sigmoid(0.0) == F.sigmoid(-0.0) == 0.5
    assert F.sigmoid(math.inf) == 1.0
    assert F.sigmoid(-math.inf) == 0.0
    assert math.isnan(F.sigmoid(math.nan))


def test_gelu_is_x_times_the_normal_cdf():
    # guards: gelu's ½, the product and the sign of −x/√2 (a loose bound: erfc of the rounded
    # −x/√2 is off by about x² ulp for negative x, so ulps are no measure here)
    rng = random.Random(20)
    with mpmath.workdps(40):
        for x in _uniform(rng, -8.0, 8.0, 500) + [0.5, -0.5, 1.0, -1.0, 3.0, -3.0]:
            exact = mpmath.mpf(x) / 2 * mpmath.erfc(-mpmath.mpf(x) / mpmath.sqrt(2))
            assert abs(F.gelu(x) - exact) <= 1e-12 * abs(exact), x
    assert F.gelu(0.0) == 0.0
