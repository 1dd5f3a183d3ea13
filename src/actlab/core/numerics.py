"""Numerically stable float64 primitives the catalog composes.

Every function here takes a float64 array, never emits a RuntimeWarning, propagates NaN, returns the exact limits at
+-inf and keeps subnormal results subnormal (not flushed to 0, not rounded twice). They are written with whole-array
ufuncs and masked copies (boolean indexing only for rare tails and root windows) and run block by block on long
arrays, because the float32 path must stay within a small factor of the textbook formula's time.

Reusable pieces: ``sigmoid``, ``sigmoid_derivative``, ``softplus``, ``log_sigmoid``, ``ndtr`` (Phi), ``ndtr_neg``,
``phi``, ``gelu``, ``gelu_derivative``, ``mul_exp`` (a*e^t rounded once), ``gauss`` (exp(-x^2/2) with exact x^2),
``two_prod``/``two_sum``/``two_square`` (error-free transformations), ``select``/``step``/``keep_nan``,
``blockwise``.

The float32 fast paths (Activation.forward32/derivative32) live at the end: ``float32_kernel`` (a float64 kernel for
float32 input, run block by block), ``root_patch32``, and exact float32 comparisons with float64 constants
(``below32``/``above32``, ``step32``, ``inside32``, ``constant32``).
"""

from __future__ import annotations

import functools

import numpy as np

from actlab.core import _roots
from actlab.core._normal import mills

SQRT2 = 1.4142135623730951
INV_SQRT2 = 0.7071067811865476
INV_SQRT2PI = 0.3989422804014327  # 1/sqrt(2*pi)
# exp(-64) to full precision; used to scale tails so that a product is rounded once, into the subnormal range.
_TAIL_SHIFT = 64.0
_EXP_M_TAIL = 1.603810890548637853e-28

# Long arrays are evaluated in blocks of this many elements: the float64 temporaries of a multi-step formula then
# stay in cache instead of streaming 8 bytes/element through memory at every step (benchmarks/throughput.py).
_BLOCK = 16384


def blockwise(fn):
    """Run an elementwise ``fn(x, *args)`` block by block on long arrays (same result, less memory traffic).

    Positional arguments that are arrays of x's shape are sliced along with x; everything else is passed as is.
    """

    @functools.wraps(fn)
    def run(x, *args, **kwargs):
        if x.ndim and x.size <= _BLOCK:  # first: the float32 paths call this once per block
            return fn(x, *args, **kwargs)
        same = [isinstance(a, np.ndarray) and a.shape == x.shape for a in args]
        if x.ndim == 0:  # in-place steps and masked patches need an array, not a NumPy scalar
            args = [a.reshape(1) if s else a for a, s in zip(args, same)]
            return fn(x.reshape(1), *args, **kwargs).reshape(())
        flat = x.reshape(-1)
        args = [a.reshape(-1) if s else a for a, s in zip(args, same)]
        out = np.empty(flat.shape, dtype=np.float64)
        for i in range(0, flat.size, _BLOCK):
            part = [a[i:i + _BLOCK] if s else a for a, s in zip(args, same)]
            out[i:i + _BLOCK] = fn(flat[i:i + _BLOCK], *part, **kwargs)
        return out.reshape(x.shape)

    return run




def select(cond, a, b):
    """np.where(cond, a, b) for float64 results, bit for bit, without branching on each element.

    A masked copy (and np.where) branches per element: fast when the mask is nearly all True or all False, 5-9
    ns/element when it is random (x > 0 on data), a branch mispredicted half the time. Then the bits are blended
    instead, b ^ ((a ^ b) & -cond): five branch-free integer passes.
    """
    cond = np.asarray(cond, dtype=bool)
    out = np.empty(cond.shape, dtype=np.float64)
    np.copyto(out, b)
    n_true = np.count_nonzero(cond)
    if min(n_true, cond.size - n_true) * 32 <= cond.size:  # nearly uniform: the masked copy predicts well
        if n_true:
            np.copyto(out, a, where=cond)
        return out
    bits = out.view(np.int64)
    diff = np.bitwise_xor(np.broadcast_to(np.asarray(a, dtype=np.float64), cond.shape).view(np.int64), bits)
    diff &= np.negative(cond.view(np.int8), dtype=np.int64)  # all ones where cond, zeros elsewhere
    bits ^= diff
    return out


def step(x, at_zero=0.0):
    """np.heaviside(x, at_zero) (0 below 0, 1 above, NaN for NaN), without heaviside's slow generic loop."""
    x = np.asarray(x)
    y = np.array(x > 0, dtype=np.float64)
    if at_zero:
        np.copyto(y, at_zero, where=(x == 0))
    return keep_nan(y, x)


def keep_nan(y, x):
    """Write NaN into ``y`` wherever ``x`` is NaN (for piecewise-constant results such as step'(x) = 0)."""
    y = np.asarray(y)
    np.copyto(y, x, where=np.isnan(x))
    return y


def patch(y, x, mask, fn):
    """y[mask] = fn(x[mask]), skipping all work when the mask is empty (rare tails and root windows)."""
    if mask.any():
        y[mask] = fn(x[mask])
    return y


def sqrt_sq_plus(x, b):
    """sqrt(x^2 + b) for 0 < b <= 1e100, without overflow (|x| beyond 1e150 gives |x|, the rounded value).

    np.hypot would do it too but is a scalar libm loop, far slower than sqrt; this is within 1 ULP.
    """
    ax = np.abs(x)
    h = np.minimum(ax, 1e150)
    h *= h
    h += b
    np.sqrt(h, out=h)
    np.copyto(h, ax, where=ax > 1e150)
    return h


def log1p_pos(e):
    """log(1 + e) for e >= 0 with SIMD ``log`` instead of the scalar ``log1p`` (faster, same accuracy).

    u = fl(1 + e) loses the low bits of e; ``e - (u - 1)`` is that rounding error exactly, and
    log(1 + e) = log(u) + log(1 + c/u) ~ log(u) + c/u.
    """
    u = 1.0 + e
    c = e - (u - 1.0)
    c /= u
    return np.log(u) + c


def exp_neg_abs(x):
    """exp(-|x|): never overflows; exactly 0 at +-inf."""
    e = np.abs(x)
    np.negative(e, out=e)
    return np.exp(e, out=e)


@blockwise
def sigmoid(x):
    """1/(1+exp(-x)), from exp(-|x|) only, so nothing overflows; sigmoid(-745) is subnormal, not 0."""
    e = exp_neg_abs(x)
    d = 1.0 + e
    num = select(x >= 0, 1.0, e)
    num /= d
    return num


@blockwise
def sigmoid_derivative(x):
    """sigmoid(x) * (1 - sigmoid(x)) = e/(1+e)^2 with e = exp(-|x|): even, never 0 for |x| < 745 (1 - s cancels)."""
    e = exp_neg_abs(x)
    d = 1.0 + e
    d *= d
    e /= d
    return e


@blockwise
def softplus(x):
    """log(1 + exp(x)) = max(x, 0) + log1p(exp(-|x|)): both terms >= 0, so no cancellation and no overflow."""
    return np.maximum(x, 0.0) + log1p_pos(exp_neg_abs(x))


@blockwise
def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x) = min(x, 0) - log1p(exp(-|x|))."""
    return np.minimum(x, 0.0) - log1p_pos(exp_neg_abs(x))


def mul_exp(a, t):
    """a * exp(t) rounded once even when the result is subnormal (t < -650 would round exp(t) first).

    ``a`` and ``t`` are arrays of one shape. In the tail exp(t) = exp(t + 64) * exp(-64); t + 64 is exact there.
    """
    y = a * np.exp(t)
    tail = t < -650.0
    if tail.any():
        y[tail] = (a[tail] * np.exp(t[tail] + _TAIL_SHIFT)) * _EXP_M_TAIL
    return y


def two_square(x):
    """(hi, lo) with hi + lo = x*x exactly (Dekker's product; valid for |x| < 1e150)."""
    c = x * 134217729.0  # 2^27 + 1: Veltkamp split
    xh = c - (c - x)
    xl = x - xh
    hi = x * x
    lo = ((xh * xh - hi) + 2.0 * xh * xl) + xl * xl
    return hi, lo


def gauss(x):
    """exp(-x^2/2) with x^2 computed exactly, so the result is accurate to a few ULP even at x = 38.

    ``x`` must satisfy |x| < 1e150 (callers clip); beyond |x| = 38.6 the result underflows to 0 anyway.
    """
    hi, lo = two_square(x)
    # exp(-(hi+lo)/2) = exp(-hi/2) * exp(-lo/2); |lo/2| < 2^-53 * hi, so exp(-lo/2) = 1 - lo/2 to full precision.
    return np.exp(-0.5 * hi) * (1.0 - 0.5 * lo)


@blockwise
def phi(x):
    """The standard normal density exp(-x^2/2)/sqrt(2 pi)."""
    xc = np.clip(x, -40.0, 40.0)  # phi(40) = 0 in float64; clipping keeps the Dekker split finite
    return gauss(xc) * INV_SQRT2PI


def ndtr_neg(x):
    """Phi(-|x|), the normal tail, as M(|x|) * exp(-x^2/2) (see _normal: M is fitted, the Gaussian has an exact x^2).

    scipy's ndtr, erfc and erfcx lose 7 to 1600 ULP here; this is within 2-3 ULP everywhere, subnormal tail included.
    """
    ax = np.minimum(np.abs(x), 40.0)  # Phi(-40) = 0 in float64; keeps inf and huge inputs out of the split
    ax = select(np.isnan(x), x, ax)
    return mills(ax) * gauss(ax)


@blockwise
def ndtr(x):
    """Phi(x), the standard normal CDF, accurate in both tails (relative) for float64."""
    t = ndtr_neg(x)
    return select(x < 0, t, 1.0 - t)


@blockwise
def gelu(x):
    """x * Phi(x): the tail x*Phi(x) for x -> -inf is rounded once (kept subnormal where it is subnormal)."""
    t = ndtr_neg(x)
    y = np.maximum(x, -1e300) * select(x < 0, t, 1.0 - t)  # -inf * 0 is NaN
    tail = x < -37.0  # x*Phi(x) becomes subnormal: redo with the Gaussian scaled by e^64 and unscaled at the end
    if tail.any():
        xt = np.maximum(x[tail], -40.0)
        hi, lo = two_square(xt)
        g = np.exp(-0.5 * hi + _TAIL_SHIFT) * (1.0 - 0.5 * lo)
        y[tail] = (xt * mills(-xt) * g) * _EXP_M_TAIL
    return y


@blockwise
def gelu_derivative(x):
    """Phi(x) + x phi(x). Both terms share the Gaussian: for x < 0 it is exp(-x^2/2) (M(|x|) - |x|/sqrt(2 pi)), for
    x >= 0 one minus that; near the root (the minimum of gelu) a Taylor expansion takes over."""
    ax = np.minimum(np.abs(x), 40.0)
    ax = select(np.isnan(x), x, ax)
    g = gauss(ax)
    c = mills(ax)
    xphi = ax * INV_SQRT2PI  # |x| phi(x) / gauss
    gc = g * (c - xphi)
    y = select(x < 0, gc, 1.0 - gc)
    tail = x < -37.0
    if tail.any():
        at = ax[tail]
        hi, lo = two_square(at)
        gs = np.exp(-0.5 * hi + _TAIL_SHIFT) * (1.0 - 0.5 * lo)
        y[tail] = (gs * (c[tail] - xphi[tail])) * _EXP_M_TAIL
    return root_patch(y, x, _roots.GELU_ROOT, _roots.GELU_D_TAYLOR)


def split(a):
    """Veltkamp split: a = hi + lo with hi, lo of 26 bits each (|a| < 1e300)."""
    c = a * 134217729.0
    hi = c - (c - a)
    return hi, a - hi


def two_prod(a, b):
    """(p, e) with p + e = a*b exactly (Dekker; no FMA in NumPy)."""
    p = a * b
    ah, al = split(a)
    bh, bl = split(b)
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl
    return p, e


def two_sum(a, b):
    """(s, e) with s + e = a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    e = (a - (s - bb)) + (b - bb)
    return s, e


def scaled(x, w, w_lo=0.0, limit=1e290, cutoff=1e4):
    """(u, u_lo) with u + u_lo = (w + w_lo) * x to about 2^-100 (u_lo is None when the product is exact, w = 1).

    f(w x) for a fast-varying f (exp(-700), sin(1e4)) amplifies the rounding of w x; callers correct with u_lo.
    x is clipped to |x| <= limit/max(w, 1) so that the product stays finite; u_lo is 0 where |u| > cutoff (for
    sigmoid-like callers the function is saturated there and a linear correction would be meaningless).
    """
    if w == 1 and w_lo == 0:
        return x, None
    big = limit / max(abs(w), 1.0)
    xc = np.clip(x, -big, big)
    u = w * xc
    if abs(w) > 1e290:  # the split of w would overflow; such a w leaves nothing to correct anyway
        return u, np.zeros_like(u)
    # the exact error of w*x from a Veltkamp split, which must stay finite: huge x are scaled by 2^-64 (exactly)
    xs = select(np.abs(u) <= cutoff, xc, 0.0)
    sc = select(np.abs(xs) > 1e290, 5.421010862427522e-20, 1.0)  # 2^-64
    _, u_lo = two_prod(xs * sc, np.full_like(xs, w))
    u_lo /= sc
    if w_lo:
        u_lo += xs * w_lo
    return u, u_lo


def divided(x, a, limit=1e290):
    """(u, u_lo) with u + u_lo = x / a to about 2^-100 (u_lo is None when a = 1)."""
    if a == 1:
        return x, None
    xc = np.clip(x, -limit, limit)
    with np.errstate(over="ignore", under="ignore"):  # x/a = +-inf for tiny a is the right limit
        u = xc / a
    finite = np.abs(u) <= 1e280
    uf = np.where(finite, u, 0.0)
    p, p_lo = two_prod(uf, np.full_like(uf, a))
    u_lo = ((np.where(finite, xc, 0.0) - p) - p_lo) / a
    return u, u_lo


def horner(coefs, d, out=None):
    """sum_j coefs[j] d^j (at least two coefficients), into ``out`` if given."""
    acc = np.multiply(d, coefs[-1], out=out)
    acc += coefs[-2]
    for c in reversed(coefs[:-2]):
        acc *= d
        acc += c
    return acc


def root_patch(y, x, root, coefs, x_lo=None, width=None):
    """Replace y near ``root`` = (hi, lo) by the Taylor polynomial ``coefs`` in d = x - root (see _roots).

    ``x_lo`` optionally carries the low part of a double-double x (e.g. u = beta*x computed exactly).
    """
    hi, lo = root
    mask = np.abs(x - hi) < (width or _roots.ROOT_WINDOW)
    if mask.any():
        d = (x[mask] - hi) - lo
        if x_lo is not None:
            d += x_lo[mask]
        y[mask] = horner(coefs, d)
    return y


# --- float32 fast paths (Activation.forward32 / derivative32) -------------------------------------------------------

FLT_MAX = float(np.finfo(np.float32).max)
# Beyond FLT_MAX, still finite in float64 and rounded to inf in float32: clipping +-inf to +-BEYOND_FLT keeps inf * 0
# and inf/inf out of a float32 kernel while the result still rounds to +-inf (or 0) as the limit does.
BEYOND_FLT = 1e39
# Elements per float64 block of a float32 kernel (1 MiB): large blocks amortise NumPy's per-call overhead (exp, tanh,
# arctan measured faster at 2^17 than at 2^14; the many-pass periodic kernels within noise: benchmarks/throughput.py).
_BLOCK32 = 131072


def float32_kernel(fn=None, *, when=None, scratch=False):
    """Decorator: a float32 kernel (float32 array in, float32 array out) from ``fn(x, **params)`` in float64.

    ``fn`` receives a float64 block (at most 131,072 elements, its own copy: in-place steps are welcome) whose values
    are float32 numbers, and returns float64 values that are rounded once to float32 here. It may rely on the input
    being float32: |x| <= 3.4e38 or +-inf, x*x exact (48 bits), w*x for a float64 constant w accurate to 2^-53
    relative, and anything below 1e-46 rounding to 0. Its float64 result must be accurate to 2^-43 relative or better
    (the float32 result is then the correctly rounded one except that close to a float32 rounding boundary). Overflow
    to inf in float64 is allowed (the exact float32 result is 0 or inf there); other RuntimeWarnings are bugs.
    ``when(**params)`` returning False sends these parameter values to the float64 path (the kernel returns None).
    With ``scratch=True`` it is called as ``fn(x, scratch, **params)``, ``scratch[i]`` being float64 work arrays of the
    block's length (see :class:`Scratch`); many-pass kernels then run in place, without allocations.
    """
    if fn is None:
        return functools.partial(float32_kernel, when=when, scratch=scratch)

    @functools.wraps(fn)
    def run(x, **params):
        if when is not None and not when(**params):
            return None
        flat = np.ascontiguousarray(x).reshape(-1)
        out = np.empty(flat.shape, np.float32)
        size = _BLOCK32
        buf = np.empty(min(flat.size, size), np.float64)
        work = (Scratch(buf.size),) if scratch else ()
        with np.errstate(over="ignore"):  # exp(800) = inf, 1/(1 + inf) = 0; and inf is the float32 rounding of 1e39
            for i in range(0, flat.size, size):
                xb = buf[:min(size, flat.size - i)]
                np.copyto(xb, flat[i:i + size])
                if scratch:
                    work[0].n = xb.size
                out[i:i + size] = fn(xb, *work, **params)
        return out.reshape(np.shape(x))

    return run


class Scratch:
    """Float64 work buffers for the blocks of one call of a float32 kernel, allocated once: a fresh 1 MiB array for
    every step of every block costs page faults (with the range check made once per array: the sine 5-15% faster)."""

    def __init__(self, size):
        self._size = size
        self._bufs = []
        self.n = size

    def __getitem__(self, i):
        while len(self._bufs) <= i:
            self._bufs.append(np.empty(self._size, np.float64))
        return self._bufs[i][:self.n]


ROOT_WINDOW32 = 1 / 32  # float32 kernels: cancellation costs at most 2^-45 relative outside this window of a root
ROOT_DEGREE32 = 7  # and inside it the Taylor polynomial to d^7 is exact to 2^-44 (the coefficients decay fast)


def root_patch32(y, near, coefs, d_at):
    """y[near] = sum_j coefs[j] d^j to degree ROOT_DEGREE32 (see _roots), with d = d_at(indices) = x - root, computed
    exactly, at the indices where ``near`` is True (a mask tested on a quantity at hand that vanishes at the root)."""
    idx = np.flatnonzero(near)
    if idx.size:
        y.put(idx, horner(coefs[:ROOT_DEGREE32 + 1], d_at(idx)))
    return y


def below32(t):
    """The largest float32 <= t: for float32 x, ``x > t`` exactly when ``x > below32(t)``, ``x <= t`` when
    ``x <= below32(t)``."""
    with np.errstate(over="ignore"):
        f = np.float32(t)
    return np.nextafter(f, np.float32(-np.inf)) if float(f) > t else f


def above32(t):
    """The smallest float32 >= t: for float32 x, ``x >= t`` exactly when ``x >= above32(t)``, ``x < t`` when
    ``x < above32(t)``."""
    with np.errstate(over="ignore"):
        f = np.float32(t)
    return np.nextafter(f, np.float32(np.inf)) if float(f) < t else f


def as_float32(c):
    """c as a float32 if it is one exactly (then c * x for float32 x is correctly rounded in float32), else None."""
    with np.errstate(over="ignore"):
        f = np.float32(c)
    return f if float(f) == c else None


def nan_carrier32(x):
    """0 for every float32 x but NaN, NaN for NaN: added to a 0/1 mask it makes a NaN-propagating step."""
    return np.clip(x, np.float32(0), np.float32(0))


def constant32(x, c):
    """c rounded to float32 wherever x is a number, NaN where x is NaN (a piecewise-constant derivative)."""
    with np.errstate(over="ignore"):
        c32 = np.float32(c)
    return np.clip(x, c32, c32)


def step32(x, t=0.0, *, at=0.0, out=None):
    """1 where x > t (x >= t with ``at=1``), 0 below, NaN for NaN, in float32 for a float32 array x; t is exact.

    For float32 x and u the float32 difference x - u has the sign of the exact one, so ceil(clip(x - u, 0, 1)) is the
    step at u, NaN included: three passes over one new array (``out``, which may be x itself, saves even that), faster
    than comparisons whose booleans must be converted and NaN put back.
    """
    u = below32(t) if not at else np.nextafter(above32(t), np.float32(-np.inf))  # x >= a  <=>  x > (a's neighbour)
    y = np.empty(x.shape, np.float32) if out is None else out
    if not np.isfinite(u):
        np.greater(x, u, out=y)
        y += nan_carrier32(x)
        return y
    with np.errstate(over="ignore"):  # x - u = +-inf keeps its sign
        if u:
            np.subtract(x, u, out=y)
            x = y
        np.clip(x, np.float32(0), np.float32(1), out=y)
    return np.ceil(y, out=y)


def inside32(x, lo, hi):
    """1 on the open interval (lo, hi), 0 outside and at the ends, NaN for NaN, in float32 (the gradient of a clip)."""
    m = np.greater(x, below32(lo))
    m &= np.less(x, above32(hi))
    y = nan_carrier32(x)
    y += m
    return y
