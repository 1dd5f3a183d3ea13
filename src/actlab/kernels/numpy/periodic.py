"""Hand-written NumPy kernels of the periodic family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.periodic`."""

from __future__ import annotations

import math

import numpy as np

from actlab.core import numerics as m
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


_PI4_HI = 0.7853981633974483  # pi/4 as hi + lo, so x + pi/4 is exact to 2^-106 near the roots of snake'

_PI4_LO = 3.061616997868383e-17

_MAX = float(np.finfo(np.float64).max)


def _arg(x, w):
    """w*x as (u, u_lo), u + u_lo exact (sin(w x) at x = 700 would show the rounding of w x).

    For w <= 1 only +-inf is clipped (to +-max; the callers put NaN back there). For w > 1, |x| is clipped where
    w x leaves the float range: no float argument has a meaningful sine there.
    """
    if w == 1:
        return np.clip(x, -_MAX, _MAX), None
    return m.scaled(x, w, limit=0.999999 * _MAX, cutoff=np.inf)


def _sin(u, u_lo):
    """sin(u + u_lo) by the addition theorem (u_lo may be up to ulp(u)/2, far from small when u is large)."""
    if u_lo is None:
        return np.sin(u)
    return np.sin(u) * np.cos(u_lo) + np.cos(u) * np.sin(u_lo)


def _cos(u, u_lo):
    """cos(u + u_lo) by the addition theorem."""
    if u_lo is None:
        return np.cos(u)
    return np.cos(u) * np.cos(u_lo) - np.sin(u) * np.sin(u_lo)


def _far(x, w):
    """Where w*x leaves the float range (w > 1, |x| near the largest float): (mask, sin(w x), cos(w x)).

    w x = 2^k theta with theta = (w/2^k) x representable; k double-angle steps give sin and cos of w x.
    """
    lim = 0.999999 * (_MAX / max(w, 1.0))
    far = np.abs(x) > lim
    if w <= 1 or w > 256 or not far.any():  # beyond 8 doublings the error growth leaves nothing meaningful
        return far, None, None
    k = int(np.ceil(np.log2(w)))
    xf = np.clip(x[far], -_MAX, _MAX)
    t, t_lo = m.scaled(xf, w / 2.0**k, limit=_MAX, cutoff=np.inf)
    s, c = _sin(t, t_lo), _cos(t, t_lo)
    for _ in range(k):
        s, c = 2.0 * s * c, (c - s) * (c + s)
    return far, s, c


@m.blockwise
def _snake(x, alpha):
    s = _sin(*_arg(x, alpha))  # snake(+-inf) = +-inf: x dominates the bounded ripple
    far, s_far, _ = _far(x, alpha)
    if s_far is not None:
        s[far] = s_far
    with np.errstate(over="ignore"):  # x near the largest float plus the ripple: the exact sum does overflow
        return x + (s * s) / alpha


@m.blockwise
def _snake_derivative(x, alpha):
    # 1 + sin(2 alpha x) = 2 sin^2(alpha x + pi/4): no cancellation near its (double) roots
    u, u_lo = _arg(x, alpha)
    t, t_lo = m.two_sum(u, np.full_like(u, _PI4_HI))
    t_lo += _PI4_LO if u_lo is None else u_lo + _PI4_LO
    s = _sin(t, t_lo)
    y = 2.0 * (s * s)
    big = np.abs(u) > 1e15  # there u + pi/4 is too coarse: (sin u + cos u)^2, within the conditioning
    if big.any():
        ub = u[big]
        lo = None if u_lo is None else u_lo[big]
        y[big] = (_sin(ub, lo) + _cos(ub, lo)) ** 2
    far, s_far, c_far = _far(x, alpha)
    if s_far is not None:
        y[far] = (s_far + c_far) ** 2
    y[np.isinf(x)] = np.nan  # snake' oscillates: no limit at +-inf
    return y


@m.blockwise
def _sinusoid(x, w0):
    y = _sin(*_arg(x, w0))
    far, s_far, _ = _far(x, w0)
    if s_far is not None:
        y[far] = s_far
    y[np.isinf(x)] = np.nan  # no limit at +-inf
    return y


@m.blockwise
def _sinusoid_derivative(x, w0):
    y = w0 * _cos(*_arg(x, w0))
    far, _, c_far = _far(x, w0)
    if c_far is not None:
        y[far] = w0 * c_far
    y[np.isinf(x)] = np.nan
    return y


# NumPy's float64 sin and cos are a scalar libm loop: for float32 input a Cody-Waite reduction modulo
# pi and one polynomial are several times faster and as accurate. pi = _PI[0] + _PI[1], the first of 42 bits, so that
# k*_PI[0] is exact for |k| < 2^11, and the reduced argument is exact to 2^-82 for |w x| <= _REDUCE_LIMIT. The float32
# numbers of [0.5, 4096] come no closer than 2^-28.8 to a multiple of pi/4 (found by trying all of them), so r is
# accurate to 2^-53 relative even next to the roots of sin(x), cos(x) and sin(x + pi/4).
_PI = (3.141592653589214, 5.792147943243964e-13)

_PI2 = (1.5707963267948966, 6.123233995736766e-17)  # pi/2 as hi + lo

_REDUCE_LIMIT = 4096.0  # |w x| beyond it, +-inf and NaN: the float64 path

# sin(r)/r = P(r^2) = 1 + r^2 Q(r^2) for |r| <= pi/2 + 0.002, relative error 7.5e-14 = 2^-43.7, so a float32 result
# is off by at most 2^-19 ULP beyond its rounding; P(0) = 1 exactly, so sin(r) ~ r - r^3/6 right for small r. Q, of
# degree 5, is a minimax fit of (sin(r)/r - 1)/r^2 weighted for the relative error of sin(r) (Lawson's reweighted
# least squares in mpmath, 400 Chebyshev nodes in r^2).
_SIN_P = (1.0, -0.1666666666650204, 0.0083333333209268, -0.00019841266697301195, 2.7556950267865646e-06,
          -2.5030084180323445e-08, 1.54078733780964e-10)

_ROUND = 6755399441055744.0  # 1.5 * 2^52: t + _ROUND rounds t to an integer, held in the low bits of the mantissa


def _reduce32(x, s, w, shift=None):
    """r with w x + shift = k pi + r, k an integer and |r| <= pi/2 (a hair more), r accurate to 2^-53 *relative*, also
    next to the roots r = 0 where the steps cancel (Sterbenz: u - k*_PI[0] and the addition of shift are exact there).
    r is written over x (w = 1) or s[2]; s[0] holds k + _ROUND (the parity of k in its lowest bit); s[1], s[4] are
    used up.

    ``x`` holds float32 numbers with |w x| <= _REDUCE_LIMIT; ``shift`` is (hi, lo) or None. w = w_hi + w_lo (26 + 27
    bits), so w_hi*x and w_lo*x are exact; what is left of the reduction, k*_PI[1] - shift_lo, is below 1e-9. Every
    step writes into a buffer at hand: the kernels are memory-bound, and in place is the cheapest.
    """
    k_bits, k = s[0], s[1]
    if w == 1:
        u = x
    else:
        w_hi, w_lo = m.split(np.float64(w))
        u = np.multiply(x, w_hi, out=s[2])
        x *= w_lo  # the low part, exact
    np.multiply(u, 1 / math.pi, out=k_bits)
    if shift:
        k_bits += shift[0] * (1 / math.pi)
    k_bits += _ROUND  # the nearest integer k, in the low bits (its parity in the lowest)
    np.subtract(k_bits, _ROUND, out=k)
    r = u
    r -= np.multiply(k, _PI[0], out=s[4])  # k*_PI[0] is exact
    if shift:
        r += shift[0]
    if w != 1:
        r += x  # also exact where r is small: u_lo has 51 bits below 2^-14
    k *= _PI[1]
    if shift:
        k -= shift[1]
    r -= k
    return r


def _sin_poly32(x, s, w, shift=None):
    """(r, P(r^2)) for sin(w x + shift) = (-1)^k r P(r^2), P(r^2) in s[3]; s[1] holds r^2, s[0] k + _ROUND."""
    r = _reduce32(x, s, w, shift)
    r2 = np.multiply(r, r, out=s[1])
    return r, m.horner(_SIN_P, r2, out=s[3])


def _sin32(x, s, w, shift=None):
    """sin(w x + shift) for float32 x with |w x| <= _REDUCE_LIMIT: (-1)^k r P(r^2), the sign put on r."""
    r, p = _sin_poly32(x, s, w, shift)
    odd = s[0].view(np.uint64)
    odd <<= np.uint64(63)  # the lowest bit of k (the lowest of k + 1.5*2^52) moved to the sign bit
    np.bitwise_xor(r.view(np.uint64), odd, out=r.view(np.uint64))
    p *= r
    return p


def _sin_squared32(x, s, w, shift=None):
    """sin(w x + shift)^2 = r^2 P(r^2)^2 for float32 x with |w x| <= _REDUCE_LIMIT (no sign to track)."""
    _, p = _sin_poly32(x, s, w, shift)
    p *= p
    p *= s[1]
    return p


def _periodic32(kernel, fallback):
    """A float32 kernel from ``kernel(x, scratch, w)`` (valid for |w x| <= _REDUCE_LIMIT) and the float64
    ``fallback(x, w)`` for the inputs beyond (and +-inf, NaN): rare, so they are patched afterwards. Whether there are
    any is asked once of the whole float32 array (two cheap reductions), not of every block."""
    near = m.float32_kernel(kernel, scratch=True)

    @m.float32_kernel(scratch=True)
    def patched(x, scratch, w):
        far = ~(np.abs(x) <= _REDUCE_LIMIT / w)
        xf = x[far]
        x[far] = 0.0
        y = kernel(x, scratch, w)
        y[far] = fallback(xf, w)
        return y

    def run(x, **params):
        (w,) = params.values()
        lim = _REDUCE_LIMIT / w
        inside = x.size and float(x.max()) <= lim and float(x.min()) >= -lim  # False with a NaN
        return (near if inside else patched)(x, w=w)

    return run


def _snake_kernel32(x, s, w):
    xs = s[5]
    np.copyto(xs, x)  # the reduction works in x
    y = _sin_squared32(x, s, w)
    if w != 1:
        y /= w
    y += xs
    return y


def _snake_derivative_kernel32(x, s, w):
    y = _sin_squared32(x, s, w, (_PI2[0] / 2, _PI2[1] / 2))  # 2 sin^2(alpha x + pi/4), as in float64
    y *= 2.0
    return y


def _sinusoid_derivative_kernel32(x, s, w):
    y = _sin32(x, s, w, _PI2)  # cos(u) = sin(u + pi/2)
    if w != 1:
        y *= w
    return y


exact("snake", forward=_snake, derivative=_snake_derivative)
float32(
    "snake",
    forward=_periodic32(_snake_kernel32, _snake),
    derivative=_periodic32(_snake_derivative_kernel32, _snake_derivative),
)
exact("sinusoid", forward=_sinusoid, derivative=_sinusoid_derivative)
float32(
    "sinusoid",
    forward=_periodic32(_sin32, _sinusoid),
    derivative=_periodic32(_sinusoid_derivative_kernel32, _sinusoid_derivative),
)
