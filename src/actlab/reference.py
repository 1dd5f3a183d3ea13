"""High-precision reference values and ULP errors: how exact the catalog is, measured.

Every elementwise activation carries its formula as a SymPy expression (``a.formula``) and SymPy differentiates it
(``a.symbolic_derivative``). This module evaluates both with mpmath at >= 50 significant digits, independently of
the NumPy code under test, and measures the NumPy results in units in the last place (ULP) of float32 and float64.

* **Cancellation-proof evaluation.** A formula such as ``x - tanh(x)`` near 0 or ``x/2 (1 + erf(x/sqrt 2))`` far
  left cancels catastrophically even at 50 digits. Each value is therefore computed at increasing precision (50, 70,
  140, ... digits) until two successive results agree to 35 digits, and a zero result is re-checked at 140, 280,
  400, 480 and 960 digits before it is believed (squareplus at -1e300 cancels terms of 1e600 to leave 1e-300).
* **Infinities.** ``x sigmoid(x)`` at ``-inf`` is ``-inf * 0`` for mpmath, so the value at +-inf is the limit,
  found numerically at x = +-1e40, 1e80, 1e160, 1e320: converging values give the limit, monotone growth gives
  +-inf, anything else (``sin``) gives nan.
* **ULP error.** The exact value ``v`` is stored per target dtype as its correctly rounded value ``hi``, the ULP of
  ``v`` in that dtype (subnormal spacing included) and the rounding residue ``frac = (v - hi)/ulp``, so the error of
  a computed ``c`` is ``|(c - hi)/ulp - frac|`` in plain float64 arithmetic: 0.5 means correctly rounded. Signed
  zeros are equal (``-0`` vs ``+0`` is 0 ULP), nan vs nan is 0, and any other disagreement with a nan or an infinity
  is ``inf``.

The derivative evaluated is SymPy's derivative of the formula as differentiated, before simplification (the
simplified ``a.symbolic_derivative`` that ``actlab show`` prints is checked against it by the tests). The
references are pure functions of the formula and the input grid, so they are cached in memory and, when a cache
directory is set (``ACTLAB_CACHE_DIR``, default ``~/.cache/actlab``), on disk keyed by a hash of both.

>>> import actlab, numpy as np
>>> from actlab import reference
>>> float(reference.value(actlab.get("sigmoid"), 0.0))
0.5
>>> int(reference.ulp_distance(np.float32(1.0), np.nextafter(np.float32(1.0), np.float32(2.0))))
1
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
import warnings
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import mpmath
import numpy as np
import sympy as sp

from actlab.core import registry
from actlab.core.symbolic import x as X

__all__ = [
    "BOUNDS",
    "Exact",
    "Reference",
    "accuracy_table",
    "conditioning",
    "errors",
    "input_grid",
    "limit",
    "reference",
    "ulp_distance",
    "ulp_error",
    "value",
]

# Bump when the reference algorithm changes: it is part of the disk-cache key.
_VERSION = 11

# The bounds the catalog promises (issue 2): ULPs of the exact result; float64 adds the conditioning allowance.
BOUNDS = {
    ("float32", "forward"): 1.0,
    ("float32", "derivative"): 2.0,
    ("float64", "forward"): 4.0,
    ("float64", "derivative"): 8.0,
}

_DPS = (50, 70, 140, 280, 560, 1120)  # precision ladder (decimal digits)
_ZERO_DPS = (140, 280, 400, 480, 960)  # where a zero is re-checked
_AGREE = mpmath.mpf(10) ** -35  # two rungs agreeing this well are believed
_DTYPES = {"float32": np.float32, "float64": np.float64}


# --- the input grid ---------------------------------------------------------------------------------------------

# Magnitudes every grid contains (both signs): where exp, expm1, erf and friends change regime in float32 and
# float64 (88.72 and 103.97 bound float32's exp, 709.78 and 745.13 float64's; 16.6 is where float32's sigmoid
# gradient underflows in naive code; 5.4 and 38 are GELU's cancellation points).
_LANDMARKS = (
    1e-30, 1e-20, 1e-10, 1e-8, 1e-5, 1e-3, 0.01, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 5.4, 6.0,
    7.0, 8.0, 10.0, 12.0, 15.0, 16.6, 17.0, 20.0, 25.0, 30.0, 38.0, 40.0, 50.0, 87.3, 88.0, 88.7, 88.72284, 89.0,
    100.0, 103.97, 104.0, 200.0, 500.0, 700.0, 709.78, 710.0, 745.13, 746.0, 1e4, 1e8, 1e15, 1e20, 1e30, 1e38,
    3e38, 1e50, 1e100, 1e200, 1e300,
)


def _with_neighbours(values: Iterable[float], dtype) -> list[float]:
    out = []
    for v in values:
        v = dtype(v)
        if not np.isfinite(v):
            continue
        out += [v, np.nextafter(v, dtype(-np.inf)), np.nextafter(v, dtype(np.inf))]
    return out


def _float_grid(dtype, kinks: Iterable[float], density: float) -> np.ndarray:
    dtype = np.dtype(dtype).type
    fi = np.finfo(dtype)
    sub = float(fi.smallest_subnormal)
    low, high = math.log10(sub), math.log10(float(fi.max))
    mags = [
        sub, 2 * sub, 3 * sub, 1000 * sub, float(fi.smallest_normal) / 2, float(fi.smallest_normal),
        float(fi.eps), float(fi.max), float(np.nextafter(fi.max, dtype(0))),
    ]
    mags += list(_LANDMARKS)
    mags += list(np.logspace(low, high - 1e-9, int(200 * density)))  # the whole range, every ~1.6 (f64) decades
    mags += list(np.logspace(-4, 3, int(400 * density)))  # where activations do their work
    core = np.linspace(-12, 12, int(480 * density) + 1)  # the plots' window, densely and linearly
    with np.errstate(over="ignore"):  # float64 landmarks beyond float32's range become inf and are dropped
        vals = np.concatenate([np.array(mags), -np.array(mags), core]).astype(dtype)
    vals = vals[np.isfinite(vals)]
    kink_pts = _with_neighbours(kinks, dtype)
    specials = np.array([0.0, -0.0, np.inf, -np.inf], dtype=dtype)
    return np.concatenate([vals, np.array(kink_pts, dtype=dtype), specials])


def _unique_sorted(vals: np.ndarray) -> np.ndarray:
    """Sorted, duplicates removed, -0.0 and +0.0 both kept (np.unique would merge them)."""
    vals = vals[~np.isnan(vals)]
    bits = vals.view(np.int64 if vals.dtype == np.float64 else np.int32)
    _, idx = np.unique(bits, return_index=True)
    out = vals[np.sort(idx)]
    return out[np.argsort(out, kind="stable")]


@lru_cache(maxsize=256)
def _grid_cached(dtype_name: str, kinks: tuple[float, ...], density: float) -> np.ndarray:
    f32 = _float_grid(np.float32, kinks, density).astype(np.float64)
    if dtype_name == "float32":
        vals = f32
    else:
        # float64: the float32 grid (shared references), float64's own extremes, and full 53-bit mantissas (float32
        # values have 29 trailing zero bits, which makes products like x*x exact and would hide rounding errors).
        rng = np.random.default_rng(20240501)
        full = rng.uniform(-1, 1, int(300 * density)) * 10.0 ** rng.uniform(-3, 2.5, int(300 * density))
        vals = np.concatenate([f32, _float_grid(np.float64, kinks, density / 2), full])
    out = np.concatenate([_unique_sorted(vals), [np.nan]])
    out.flags.writeable = False
    return out


def input_grid(kinks: Iterable[float] = (), dtype: Any = np.float64, density: float = 1.0) -> np.ndarray:
    """The dense test inputs of the catalog, as float64 values exactly representable in ``dtype``.

    0 and -0, the smallest subnormals, tiny and huge magnitudes, the landmarks where exp and erf change regime
    (+-20, +-88.7, +-710, +-1e300, ...), +-max, +-inf and nan, a log-spaced sweep over the whole range, a linear
    sweep of [-12, 12], and each kink with its two floating-point neighbours. The float64 grid contains the float32
    grid. ``density`` scales the number of sweep points (1.0: ~2,000 float32 and ~3,000 float64 inputs).
    """
    name = np.dtype(dtype).name
    if name not in _DTYPES:
        raise ValueError(f"input_grid covers float32 and float64; got dtype {name}")
    kinks = tuple(sorted({float(k) for k in kinks}))
    return _grid_cached(name, kinks, float(density))


# --- exact values -----------------------------------------------------------------------------------------------


def _mpf(v: Any) -> mpmath.mpf:
    if isinstance(v, mpmath.mpf):
        return v
    if isinstance(v, mpmath.mpc):
        return mpmath.mpf(v.real) if v.imag == 0 else mpmath.nan
    return mpmath.mpf(v)


def _call(fn: Callable, xm: mpmath.mpf) -> mpmath.mpf:
    try:
        return _mpf(fn(xm))
    except (ZeroDivisionError, ValueError, OverflowError, TypeError):
        return mpmath.nan


def _agree(a: mpmath.mpf, b: mpmath.mpf) -> bool:
    if mpmath.isnan(a) or mpmath.isnan(b):
        return bool(mpmath.isnan(a) and mpmath.isnan(b))
    if mpmath.isinf(a) or mpmath.isinf(b):
        return a == b
    return abs(a - b) <= _AGREE * abs(b)


def _stable(fn: Callable, x: float | mpmath.mpf) -> mpmath.mpf:
    """fn(x) at the first rung of the precision ladder where two successive rungs agree to 35 digits.

    A zero is re-checked up to 480 digits (960 for |x| beyond 1e+-200): cancellation hides anything below 10^-digits relative to the terms that
    cancel (1 + erf(-30) = 1.5e-196; x + sqrt(x^2 + 4) at x = -1e300 is 4e-300 from terms of 1e600), and a float64
    result below 10^-324 is 0 anyway."""
    xm = mpmath.mpf(x)

    def ladder(rungs: tuple[int, ...]) -> mpmath.mpf:
        prev = None
        for dps in rungs:
            with mpmath.workdps(dps):
                cur = _call(fn, xm)
            if prev is not None and _agree(prev, cur):
                return cur
            prev = cur
        return prev

    def confirmed(v: mpmath.mpf) -> mpmath.mpf:
        # Two rungs can agree on the same wrong value when a term like exp(x) at x = -200 (1e-87) is lost against 1
        # at both: confirm at a precision that holds e^|x| (mish' = (1 + x) e^x, not x e^x, far left).
        if abs(xm) <= 30 or not mpmath.isfinite(xm):
            return v
        digits = min(400, _DPS[0] + int(abs(xm) * 0.4343) + 20)  # past e^-345 nothing shows in float64
        with mpmath.workdps(digits):
            check = _call(fn, xm)
        return v if _agree(v, check) else ladder((digits, 2 * digits))

    v = confirmed(ladder(_DPS))
    if v != 0:
        return v
    # Cancellation depth grows with the magnitude of the terms: x + sqrt(x^2 + 4) at |x| = 1e300 needs ~620 digits,
    # x - tanh(x) at 1e-200 ~420; moderate x never needs more than 480 (and erf at 960 digits is slow).
    extreme = xm != 0 and abs(mpmath.log10(abs(xm))) > 200
    for dps in _ZERO_DPS if extreme else _ZERO_DPS[:-1]:  # the first rung where the zero is not one, then confirm
        with mpmath.workdps(dps):
            cur = _call(fn, xm)
        if cur != 0:
            return ladder((dps, dps + dps // 4, 2 * dps, 4 * dps))
    return cur


def limit(fn: Callable, sign: int) -> mpmath.mpf:
    """The limit of ``fn`` at ``sign * inf``, numerically: converging -> the value, monotone growth -> +-inf,
    anything else (oscillation) -> nan."""
    vals = [_stable(fn, sign * mpmath.mpf(10) ** (40 * 2**k)) for k in range(4)]  # 1e40 ... 1e320
    if any(mpmath.isnan(v) for v in vals):
        return mpmath.nan
    if all(mpmath.isinf(v) for v in vals) and len({v > 0 for v in vals}) == 1:
        return vals[-1]
    tail = vals[-2:]
    if _agree(tail[0], tail[1]) or all(abs(v) < mpmath.mpf(10) ** -400 for v in tail):
        return tail[1]
    mags = [abs(v) for v in vals]
    signs = {v > 0 for v in vals}
    if len(signs) == 1 and all(a < b for a, b in zip(mags, mags[1:])) and mags[-1] > 100:
        return mpmath.inf if vals[-1] > 0 else -mpmath.inf
    signs = {v > 0 for v in vals if v != 0}
    if len(signs) <= 1 and all(a > b for a, b in zip(mags, mags[1:])) and mags[-1] < mpmath.mpf(10) ** -100:
        return mpmath.mpf(0)  # polynomial decay to 0: softsign'(x) = 1/(1 + |x|)^2
    return mpmath.nan


@dataclass(frozen=True)
class Exact:
    """Exact values as seen from one dtype: correctly rounded ``hi``, ``ulp`` of the exact value, ``frac`` residue."""

    hi: np.ndarray
    ulp: np.ndarray
    frac: np.ndarray

    def __getitem__(self, idx) -> "Exact":
        return Exact(self.hi[idx], self.ulp[idx], self.frac[idx])

    @classmethod
    def from_mp(cls, values: Iterable[mpmath.mpf], dtype: Any) -> "Exact":
        h, r = _double_double(values)
        return cls.from_double_double(h, r, dtype)

    @classmethod
    def from_double_double(cls, h: np.ndarray, r: np.ndarray, dtype: Any) -> "Exact":
        """From exact values given as unevaluated sums h + r of float64s (|r| <= ulp(h)/2, up to mpmath's own
        rounding of subnormals, which the correction step below repairs)."""
        fi = np.finfo(dtype)
        p = fi.nmant + 1
        sub_exp = int(np.log2(float(fi.smallest_subnormal)))
        with np.errstate(all="ignore"):
            hi = h.astype(dtype).astype(np.float64)  # overflow to inf is the right rounding there
            _, e = np.frexp(h)
            ulp = np.ldexp(1.0, np.maximum(e - p, sub_exp))
            frac = ((h - hi) + r) / ulp  # h - hi is exact: both lie within one ulp of the same value
            # Double rounding (h itself rounded, then to dtype) can land one ulp off; step back.
            up, down = frac > 0.5, frac < -0.5
            hi = np.where(up, hi + ulp, np.where(down, hi - ulp, hi))
            frac = np.where(up, frac - 1, np.where(down, frac + 1, frac))
            finite = np.isfinite(hi)
            big = np.abs(hi) > float(fi.max)
            hi = np.where(finite & big, np.copysign(np.inf, hi), hi)
            finite &= ~big
            ulp = np.where(finite, ulp, np.nan)
            frac = np.where(finite, frac, 0.0)
            hi = np.where(h == 0, 0.0, hi)
            ulp = np.where(h == 0, np.ldexp(1.0, sub_exp), ulp)
            frac = np.where(h == 0, 0.0, frac)
        return cls(hi, ulp, frac)


def _double_double(values: Iterable[mpmath.mpf]) -> tuple[np.ndarray, np.ndarray]:
    """mpmath values -> (h, r) float64 arrays with h + r equal to the value to ~106 bits (inf/nan in h)."""
    hs, rs = [], []
    with mpmath.workdps(60):
        for v in values:
            if mpmath.isnan(v) or mpmath.isinf(v):
                hs.append(float(v))
                rs.append(0.0)
                continue
            try:
                h = float(v)
            except OverflowError:
                h = math.copysign(math.inf, float(mpmath.sign(v)))
            hs.append(h)
            rs.append(float(v - h) if math.isfinite(h) else 0.0)
    return np.array(hs), np.array(rs)


def ulp_error(computed: Any, exact: Exact) -> np.ndarray:
    """|computed - exact| in ULPs of the exact value (0.5 = correctly rounded); see the module docstring."""
    c = np.asarray(computed).astype(np.float64)
    hi, ulp, frac = exact.hi, exact.ulp, exact.frac
    with np.errstate(all="ignore"):
        err = np.abs((c - hi) / ulp - frac)
    c_nan, e_nan = np.isnan(c), np.isnan(hi)
    err = np.where(c_nan | e_nan, np.where(c_nan & e_nan, 0.0, np.inf), err)
    special = ~(c_nan | e_nan) & (np.isinf(c) | np.isinf(hi))
    err = np.where(special, np.where(c == hi, 0.0, np.inf), err)
    return err


def _ordinal(a: np.ndarray) -> np.ndarray:
    """Map floats to integers that count representable values (so neighbours differ by 1; -0 and +0 coincide)."""
    if a.dtype == np.float64:
        i = a.view(np.int64)
        mask = np.int64(0x7FFFFFFFFFFFFFFF)
    else:
        a = a.astype(np.float32)
        i = a.view(np.int32).astype(np.int64)
        mask = np.int64(0x7FFFFFFF)
    return np.where(i < 0, -(i & mask), i)


def ulp_distance(a: Any, b: Any) -> np.ndarray:
    """The number of representable floats between ``a`` and ``b`` (same float32/float64 dtype), as float64.

    Signed zeros are 0 apart, nan vs nan is 0, nan vs a number is inf; inf vs max is 1.
    """
    a, b = np.asarray(a), np.asarray(b)
    dtype = np.result_type(a, b)
    if dtype not in (np.float32, np.float64):
        dtype = np.dtype(np.float64)
    a, b = np.broadcast_arrays(a.astype(dtype), b.astype(dtype))
    ia, ib = _ordinal(np.ascontiguousarray(a)), _ordinal(np.ascontiguousarray(b))
    # Same sign: the int64 difference is exact. Opposite signs: it could overflow, and the distance is huge anyway.
    same = (ia >= 0) == (ib >= 0)
    d = np.where(same, np.abs(np.where(same, ia - ib, 0)).astype(np.float64),
                 np.abs(ia).astype(np.float64) + np.abs(ib).astype(np.float64))
    na, nb = np.isnan(a), np.isnan(b)
    return np.where(na | nb, np.where(na & nb, 0.0, np.inf), d)


# --- references for one activation -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reference:
    """Exact f and f' of one bound activation on its float64 input grid (``x``; the float32 grid is ``mask32``).

    ``cond64_f`` / ``cond64_df`` are the float64 conditioning allowances in ULPs: the change half an ULP of the
    input makes in the exact result, 0.5 |f'(x)| ulp(x) / ulp(f(x)) (and the same for f' with f'').
    """

    name: str
    x: np.ndarray
    mask32: np.ndarray
    f: Mapping[str, Exact]
    df: Mapping[str, Exact]
    cond64_f: np.ndarray
    cond64_df: np.ndarray

    def exact(self, what: str, dtype: Any) -> tuple[np.ndarray, Exact]:
        """(inputs, exact values) for ``what`` in ("forward", "derivative") and a float32/float64 dtype."""
        name = np.dtype(dtype).name
        table = self.f if what == "forward" else self.df
        if name == "float32":
            return self.x[self.mask32], table[name]
        return self.x, table[name]


@lru_cache(maxsize=1024)
def _derivative_cached(name: str, params: tuple, formula) -> Any:
    return sp.diff(formula, X)


def derivative_formula(a) -> Any:
    """SymPy's derivative of ``a.formula``, unsimplified (what the references evaluate; ``a.symbolic_derivative`` is
    the simplified form for display, which can take SymPy seconds to produce)."""
    a = _as_bound(a)
    return _derivative_cached(a.name, tuple(sorted(a.params.items())), a.formula)


def _lambdify(expr):
    return sp.lambdify(X, expr, modules=["mpmath"])


def _evaluate(fn: Callable, xs: np.ndarray) -> list[mpmath.mpf]:
    inf_lim = {}
    out = []
    for v in xs:
        if math.isnan(v):
            out.append(mpmath.nan)
        elif math.isinf(v):
            s = 1 if v > 0 else -1
            if s not in inf_lim:
                inf_lim[s] = limit(fn, s)
            out.append(inf_lim[s])
        else:
            out.append(_stable(fn, float(v)))
    return out


def _second_derivative(a, xs: np.ndarray) -> np.ndarray:
    """|f''| in float64 (magnitude only, for the conditioning allowance of f')."""
    try:
        d2 = sp.diff(derivative_formula(a), X)
        fn = sp.lambdify(X, d2, modules=["numpy", "scipy"])
        with np.errstate(all="ignore"):
            out = np.abs(np.asarray(fn(xs), dtype=np.float64) * np.ones_like(xs))
    except Exception:  # an allowance only: without f'' the bound is the plain 8 ULP
        out = np.zeros_like(xs)
    # Where float64 cannot even form f'' (sin(w*x) with w*x past the largest float, at |x| ~ 1e308), half an ULP of x
    # moves the argument by ~1e292 radians: f' is not determined by x there, so nothing is a bound.
    unknown = ~np.isfinite(out)
    return np.where(unknown, np.where(np.abs(xs) > 1e300, np.inf, 0.0), out)


def _ulp64(v: np.ndarray) -> np.ndarray:
    with np.errstate(all="ignore"):
        return np.where(np.isfinite(v), np.spacing(np.abs(v)), np.nan)


def _cache_dir() -> Path | None:
    env = os.environ.get("ACTLAB_CACHE_DIR")
    if env == "":
        return None
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "actlab"


def _key(a, xs: np.ndarray) -> str:
    h = hashlib.sha256()
    h.update(f"v{_VERSION}\n{sp.srepr(a.formula)}\n".encode())
    h.update(np.ascontiguousarray(xs).tobytes())
    return h.hexdigest()[:24]


def _compute(a, xs: np.ndarray) -> dict[str, np.ndarray]:
    f_mp = _evaluate(_lambdify(a.formula), xs)
    df_mp = _evaluate(_lambdify(derivative_formula(a)), xs)
    arrays: dict[str, np.ndarray] = {}
    for label, vals in (("f", f_mp), ("df", df_mp)):
        for dname, dt in _DTYPES.items():
            ex = Exact.from_mp(vals, dt)
            arrays[f"{label}_{dname}_hi"] = ex.hi
            arrays[f"{label}_{dname}_ulp"] = ex.ulp
            arrays[f"{label}_{dname}_frac"] = ex.frac
    d2 = _second_derivative(a, xs)
    f64 = arrays["f_float64_hi"]
    df64 = arrays["df_float64_hi"]
    with np.errstate(all="ignore"):
        ux = _ulp64(xs)
        cf = 0.5 * np.abs(df64) * ux / arrays["f_float64_ulp"]
        cdf = 0.5 * d2 * ux / arrays["df_float64_ulp"]
    arrays["cond64_f"] = np.where(np.isfinite(cf) & np.isfinite(f64), cf, 0.0)
    arrays["cond64_df"] = np.where(~np.isnan(cdf) & np.isfinite(df64), cdf, 0.0)  # inf: f' undetermined by x
    return arrays


def _load_or_compute(a, xs: np.ndarray, use_disk: bool) -> dict[str, np.ndarray]:
    directory = _cache_dir() if use_disk else None
    path = directory / "reference" / f"{a.name}-{_key(a, xs)}.npz" if directory else None
    if path is not None and path.exists():
        try:
            with np.load(path) as data:
                return {k: data[k] for k in data.files}
        except (OSError, ValueError, KeyError):
            pass  # a truncated file from an interrupted run: recompute
    arrays = _compute(a, xs)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".npz")
            with os.fdopen(fd, "wb") as fh:
                np.savez(fh, **arrays)
            os.replace(tmp, path)  # atomic: parallel test workers may write the same entry
        except OSError:
            pass  # a read-only home is no reason to fail
    return arrays


@lru_cache(maxsize=512)
def _reference_cached(a, density: float, use_disk: bool) -> Reference:
    xs = input_grid(a.kinks, np.float64, density)
    x32 = input_grid(a.kinks, np.float32, density)
    mask32 = np.isin(xs.view(np.int64), x32.view(np.int64)) | np.isnan(xs)
    arrays = _load_or_compute(a, xs, use_disk)

    def table(label: str) -> dict[str, Exact]:
        out = {}
        for dname in _DTYPES:
            ex = Exact(arrays[f"{label}_{dname}_hi"], arrays[f"{label}_{dname}_ulp"], arrays[f"{label}_{dname}_frac"])
            out[dname] = ex[mask32] if dname == "float32" else ex
        return out

    return Reference(a.name, xs, mask32, table("f"), table("df"), arrays["cond64_f"], arrays["cond64_df"])


def reference(a, density: float = 1.0, cache: bool = True) -> Reference:
    """The exact f and f' of the elementwise activation ``a`` (a name or a BoundActivation) on :func:`input_grid`."""
    a = _as_bound(a)
    if a.kind != "elementwise":
        raise ValueError(f"{a.name} is a {a.kind} activation; references cover elementwise ones")
    return _reference_cached(a, float(density), bool(cache))


def value(a, x: float, derivative: bool = False) -> mpmath.mpf:
    """The exact f(x) (or f'(x)) of ``a`` at one point, as an mpmath number (x may be +-inf or nan)."""
    a = _as_bound(a)
    fn = _lambdify(derivative_formula(a) if derivative else a.formula)
    return _evaluate(fn, np.array([float(x)]))[0]


def conditioning(ref: Reference, what: str) -> np.ndarray:
    """The float64 allowance (ULPs) that the function's own conditioning adds, on ``ref.x``."""
    return ref.cond64_f if what == "forward" else ref.cond64_df


def _kink_mask(x: np.ndarray, kinks: Iterable[float]) -> np.ndarray:
    m = np.zeros(x.shape, dtype=bool)
    for k in kinks:
        m |= x == k
    return m


def errors(a, dtype: Any, what: str = "forward", density: float = 1.0, cache: bool = True):
    """(x, ULP errors, allowed ULPs) of ``a`` on the grid for ``what`` in ("forward", "derivative").

    The derivative is not compared at the kinks themselves (there the catalog follows its documented one-sided
    convention, tested separately). ``allowed`` is the issue's bound, plus conditioning for float64.
    """
    a_ = _as_bound(a)
    ref = reference(a_, density, cache)
    name = np.dtype(dtype).name
    x, exact = ref.exact(what, dtype)
    xin = x.astype(dtype)
    y = a_(xin) if what == "forward" else a_.derivative(xin)
    err = ulp_error(y, exact)
    allowed = np.full(x.shape, BOUNDS[(name, what)])
    if name == "float64":
        allowed = allowed + conditioning(ref, what)
    if what == "derivative":
        keep = ~_kink_mask(x, (dtype(k) for k in a_.kinks))
        x, err, allowed = x[keep], err[keep], allowed[keep]
    return x, err, allowed


def _as_bound(a):
    return registry.get(a) if not hasattr(a, "spec") else a


def accuracy_table(names: Iterable[str] | None = None, density: float = 1.0, cache: bool = True,
                   progress: Callable[[str], None] | None = None) -> list[dict[str, Any]]:
    """Per elementwise activation: the max ULP error of f and f' in float32 and float64, with the bounds verdict.

    Each row: ``name``; for ``dt`` in (float32, float64) and ``what`` in (forward, derivative): ``{dt}_{what}`` (max
    ULP error), ``{dt}_{what}_x`` (an input where it occurs) and ``{dt}_{what}_ok`` (within the bound — for float64
    the bound plus conditioning). References are cached (memory, and disk when ``cache``), so a second call is fast.
    """
    rows = []
    for name in names if names is not None else registry.names(kind="elementwise"):
        a = registry.get(name)
        if progress is not None:
            progress(a.name)
        row: dict[str, Any] = {"name": a.name}
        caught: list[str] = []
        for dname, dt in _DTYPES.items():
            for what in ("forward", "derivative"):
                with warnings.catch_warnings(record=True) as seen:
                    warnings.simplefilter("always")
                    x, err, allowed = errors(a, dt, what, density, cache)
                caught += [f"{dname} {what}: {w.category.__name__}: {w.message}" for w in seen]
                key = f"{dname}_{what}"
                i = int(np.argmax(np.where(np.isnan(err), np.inf, err))) if err.size else 0
                row[key] = float(err[i]) if err.size else 0.0
                row[f"{key}_x"] = float(x[i]) if err.size else math.nan
                row[f"{key}_ok"] = bool(np.all(err <= allowed))
        row["warnings"] = sorted(set(caught))
        rows.append(row)
    return rows
