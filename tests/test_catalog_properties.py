"""Declared properties, verified numerically so the table cannot lie (issue 2, items 2 and 4).

Definitions used here (also in docs/catalog.md):
range           every value on the grid lies in [lo, hi], and the values approach both ends;
monotonic       non-decreasing (sorted inputs give sorted outputs); False: it decreases somewhere on [-20, 20];
zero_centered   f(0) = 0 and the mean of f(z) for z ~ N(0, 1) is within 5% of its RMS (tanh, SELU: yes; ELU,
                leaky ReLU, SiLU: no);
smooth          -1: f jumps at a declared kink; 0: f continuous, f' jumps at a kink; k >= 1: f' continuous at
                every kink (and, for k = 1, f'' jumps); inf: C-infinity. No jump anywhere else on [-10, 10];
saturates       the sides where f' -> 0: max |f'| over x in +-[1e6, 1e6 + 10] below 1e-6;
sparse          exact zeros on an interval (runs of f == 0 on a fine grid);
self_normalizing  E f(z) = 0 and E f(z)^2 = 1 for z ~ N(0, 1), and that fixed point attracts (SELU, not identity).
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import integrate

import actlab
from actlab import reference as R

ELEMENTWISE = actlab.names(kind="elementwise")
FINE = np.linspace(-10, 10, 20001)  # step 1e-3; contains 0 and every multiple of 1e-3


def _gauss_moments(a, var: float = 1.0) -> tuple[float, float]:
    """E f(z) and E f(z)^2 for z ~ N(0, var), by quadrature split at the kinks."""
    pts = sorted(k for k in a.kinks if -12 < k < 12)
    pdf = lambda z: math.exp(-z * z / (2 * var)) / math.sqrt(2 * math.pi * var)  # noqa: E731
    f = lambda z: float(a(z))  # noqa: E731
    m1 = integrate.quad(lambda z: f(z) * pdf(z), -40, 40, points=pts or None, limit=200)[0]
    m2 = integrate.quad(lambda z: f(z) ** 2 * pdf(z), -40, 40, points=pts or None, limit=200)[0]
    return m1, m2


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_range_contains_the_values_and_is_approached(name):
    a = actlab.get(name)
    lo, hi = a.properties["range"]
    x = np.concatenate([R.input_grid(a.kinks, np.float64, 0.4), FINE])
    x = x[np.isfinite(x)]
    y = a(x)
    y = y[~np.isnan(y)]
    slack = [4 * float(np.spacing(abs(v))) if math.isfinite(v) else 0.0 for v in (lo, hi)]  # ends are rounded
    assert y.min() >= lo - slack[0] and y.max() <= hi + slack[1], \
        f"values [{y.min()}, {y.max()}] outside the declared range {(lo, hi)}"
    for end, got in ((lo, y.min()), (hi, y.max())):
        if math.isinf(end):
            assert abs(got) > 1e6 and math.copysign(1, got) == math.copysign(1, end), \
                f"declared {end} but the values stop at {got}"
        else:
            # an interior extremum (SiLU's minimum) is met on the 1e-3 grid to ~f'' h^2 / 2
            assert abs(got - end) <= 1e-5 * (1 + abs(end)), f"declared end {end} but the values reach only {got}"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_monotonic_as_declared(name):
    a = actlab.get(name)
    x = np.concatenate([FINE * 2, R.input_grid(a.kinks, np.float64, 0.4)])
    x = np.sort(x[np.isfinite(x)])
    y = a(x)
    with np.errstate(invalid="ignore"):  # inf - inf where f overflows: no drop
        drops = np.diff(y) < 0
    if a.properties["monotonic"]:
        # a float64 result within its few-ULP bound may wiggle by that much where f is flat; more is a real drop
        with np.errstate(over="ignore", invalid="ignore"):  # spacing(inf) is inf, as meant
            tol = np.nan_to_num(4 * np.spacing(np.abs(y[1:])), nan=0.0, posinf=0.0)
            real = np.diff(y) < -tol
        real &= np.isfinite(y[1:]) & np.isfinite(y[:-1])
        assert not real.any(), f"declared monotonic but f decreases after x = {x[:-1][real][:5]}"
        assert np.all(a.derivative(FINE) >= 0), "declared monotonic but f' < 0 somewhere"
    else:
        assert drops[np.abs(x[:-1]) <= 20].any(), "declared non-monotonic but f never decreases on [-20, 20]"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_zero_centered_as_declared(name):
    a = actlab.get(name)
    m1, m2 = _gauss_moments(a)
    centred = float(a(0.0)) == 0.0 and abs(m1) <= 0.05 * math.sqrt(max(m2, 0.0))
    assert centred == a.properties["zero_centered"], f"f(0) = {float(a(0.0))}, E f = {m1:.4g}, E f^2 = {m2:.4g}"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_self_normalizing_as_declared(name):
    a = actlab.get(name)
    m1, m2 = _gauss_moments(a)
    fixed_point = abs(m1) < 1e-3 and abs(m2 - 1) < 1e-3
    # ... and attracting: a wider input comes out narrower, a narrower one wider (the identity is not).
    wide, narrow = _gauss_moments(a, 2.0)[1], _gauss_moments(a, 0.5)[1]
    attracting = wide < 2.0 * 0.98 and narrow > 0.5 * 1.02
    assert (fixed_point and attracting) == a.properties["self_normalizing"], \
        f"E f = {m1:.6g}, E f^2 = {m2:.6g}; E f^2 at variance 2: {wide:.4g}, at 0.5: {narrow:.4g}"


def _jump(fn, k: float, d: float) -> float:
    return abs(float(fn(k + d)) - float(fn(k - d)))


def _second_derivative_jumps(a) -> np.ndarray:
    """Where f'' jumps on the fine grid: an isolated spike in the change of the slope of f' (a smooth f, however
    fast it oscillates, changes its slope gradually, so the spike stands out against its neighbours)."""
    h = FINE[1] - FINE[0]
    slope = np.diff(a.derivative(FINE)) / h
    d = np.abs(np.diff(slope))
    around = np.maximum(np.concatenate([[0, 0], d[:-2]]), np.concatenate([d[2:], [0, 0]]))
    return FINE[1:-1][(d > 1e-2) & (d > 5 * around)]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_smoothness_class_as_declared(name):
    a = actlab.get(name)
    s = a.properties["smooth"]
    kinks = [k for k in a.kinks if math.isfinite(k)]
    d = 1e-9
    f_jumps = [_jump(a, k, d * (1 + abs(k))) > 1e-6 for k in kinks]
    df_jumps = [_jump(a.derivative, k, d * (1 + abs(k))) > 1e-6 for k in kinks]
    if s == -1:
        assert any(f_jumps), f"declared discontinuous, but f is continuous at the kinks {kinks}"
    else:
        assert not any(f_jumps), f"declared continuous, but f jumps at {[k for k, j in zip(kinks, f_jumps) if j]}"
    if s == 0:
        assert any(df_jumps), f"declared C0 (with a kink), but f' is continuous at the kinks {kinks}"
    if s >= 1:
        assert not any(df_jumps), f"declared C{s}, but f' jumps at {[k for k, j in zip(kinks, df_jumps) if j]}"
    spikes = _second_derivative_jumps(a)
    if s == 1:
        assert spikes.size, "declared C1, but f'' has no jump on [-10, 10]"
    if s >= 2:
        assert not spikes.size, f"declared C{s}, but f'' jumps near x = {spikes[:5]}"
    if s >= 0:  # no undeclared jump between the kinks: |f(x+h) - f(x)| <= max|f'| h
        y = a(FINE)
        slope = np.max(np.abs(a.derivative(FINE)))
        steps = np.abs(np.diff(y))
        assert steps.max() <= 2 * slope * 1e-3 + 1e-12, f"a jump of {steps.max()} near x = {FINE[np.argmax(steps)]}"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_saturation_as_declared(name):
    a = actlab.get(name)
    declared = a.properties["saturates"]
    offsets = np.linspace(0, 10, 23)
    for side, xs in (("left", -1e6 - offsets), ("right", 1e6 + offsets)):
        flat = np.max(np.abs(a.derivative(xs))) < 1e-6
        expected = declared in (side, "both")
        assert flat == expected, f"declared saturates={declared!r}; f' near the {side} end: {a.derivative(xs[:3])}"


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_sparse_as_declared(name):
    a = actlab.get(name)
    y = a(FINE)
    zero = (y == 0).astype(int)
    longest = max((len(run) for run in "".join(map(str, zero)).split("0")), default=0)
    assert (longest >= 50) == a.properties["sparse"], f"longest run of exact zeros on a 1e-3 grid: {longest}"
