"""Hand-written NumPy kernels of the smooth family (float64 exact, float32 fast), registered by name.

The declarations (formula, parameters, properties) are in :mod:`actlab.catalog.smooth`."""

from __future__ import annotations

import numpy as np

from actlab.catalog.smooth import _EXACT_THRESHOLD
from actlab.core import _roots
from actlab.core import numerics as m
from actlab.kernels.numpy_exact import exact
from actlab.kernels.numpy_float32 import float32


def _at_scaled(f, f_derivative, x, beta):
    """(u, f(beta x)) with u = beta x rounded: u + u_lo = beta x exactly (the rounding of beta x would show at
    u = -700), and f(u + u_lo) = f(u) + f'(u) u_lo."""
    u, u_lo = m.scaled(x, beta)
    y = f(u)
    if u_lo is not None:
        y += f_derivative(u) * u_lo
    return u, y


@m.blockwise
def _softplus(x, beta, threshold):
    u, y = _at_scaled(m.softplus, m.sigmoid, x, beta)
    if beta != 1:
        with np.errstate(over="ignore"):  # log(2)/5e-324 is beyond the float range: inf is the rounded value
            y /= beta
    return m.select(u > threshold, x, y)


@m.blockwise
def _softplus_derivative(x, beta, threshold):
    u, y = _at_scaled(m.sigmoid, m.sigmoid_derivative, x, beta)
    return m.select(u > threshold, 1.0, y)


def _exact_switch(beta, threshold):
    return threshold >= _EXACT_THRESHOLD


@m.float32_kernel(when=_exact_switch)
def _softplus32(x, beta, threshold):
    # float32 x: u = beta*x is accurate enough (|u| <= ~1000 wherever the result is not 0 or x). softplus(u)/beta > x,
    # and for u > 36 the float32 result is x: max(log1p(exp(min(u, 36)))/beta, x) covers both, +-inf included.
    u = x * beta if beta != 1 else x.copy()
    np.minimum(u, _EXACT_THRESHOLD, out=u)
    np.exp(u, out=u)
    np.log1p(u, out=u)
    if beta != 1:
        u /= beta
    return np.maximum(u, x, out=u)


@m.float32_kernel(when=_exact_switch)
def _softplus_derivative32(x, beta, threshold):
    if beta != 1:
        x *= beta
    return _sigmoid_kernel(x)  # 1 in float32 from u = 17 on, before any threshold >= 36


def _sigmoid_kernel(u):
    """1/(1 + exp(-u)) in place, for float32 inputs (exp(-u) = inf gives the float32 result 0)."""
    np.negative(u, out=u)
    np.exp(u, out=u)
    u += 1.0
    return np.divide(1.0, u, out=u)


exact("softplus", forward=_softplus, derivative=_softplus_derivative)
float32("softplus", forward=_softplus32, derivative=_softplus_derivative32)


@m.float32_kernel
def _log_sigmoid32(x):
    # -softplus(-x) <= min(x, 0), and for x < -36 the float32 result is x
    u = np.negative(x)
    np.minimum(u, _EXACT_THRESHOLD, out=u)
    np.exp(u, out=u)
    np.log1p(u, out=u)
    np.negative(u, out=u)
    return np.minimum(u, x, out=u)


@m.float32_kernel
def _log_sigmoid_derivative32(x):
    return _sigmoid_kernel(np.negative(x, out=x))


exact("log_sigmoid", forward=m.log_sigmoid, derivative=lambda x: m.sigmoid(-x))
float32("log_sigmoid", forward=_log_sigmoid32, derivative=_log_sigmoid_derivative32)

_BIG = 1e20  # beyond |x| = 1e20 softsign(x) rounds to +-1 and its derivative to 1/x^2; clipping avoids inf/inf


@m.blockwise
def _softsign(x):
    xc = np.clip(x, -_BIG, _BIG)
    return xc / (1.0 + np.abs(xc))


@m.blockwise
def _softsign_derivative(x):
    r = 1.0 / (1.0 + np.abs(x))
    return r * r  # not 1/(1+|x|)^2, which overflows at 1e154 where the exact value is still normal


exact(
    "softsign",
    forward=_softsign,
    derivative=_softsign_derivative,
    derivative_from_output=lambda y: (1.0 - np.abs(y)) ** 2,
)


def _scaled(x, beta, beta_lo=0.0):
    """beta*x as (u, u_lo) (see _math.scaled): sigmoid(u) at u = -700 amplifies u's rounding 700 times."""
    return m.scaled(x, beta, beta_lo)


@m.blockwise
def swish(x, beta=1.0, beta_lo=0.0):
    """x * sigmoid(beta x), exact at +-inf (silu(-inf) = 0) and rounded once in the subnormal tail."""
    u, u_lo = _scaled(x, beta, beta_lo)
    xc = np.clip(x, -1e300, 1e300)  # inf * 0 would be NaN (also in the unused branch); exp(-1e300) = 0 anyway
    e = m.exp_neg_abs(u)
    num = m.select(u >= 0, x, xc * e)
    num /= 1.0 + e
    if u_lo is not None:  # sigmoid(u + u_lo) = sigmoid(u) (1 + u_lo (1 - sigmoid(u)))
        num *= 1.0 + u_lo * (m.select(u >= 0, e, 1.0) / (1.0 + e))
    tail = u < -650.0
    if tail.any():  # x e^u becomes subnormal: round once
        lo = 0.0 if u_lo is None else u_lo[tail]
        num[tail] = m.mul_exp(xc[tail] * (1.0 + lo), u[tail])
    return num


@m.blockwise
def silu_derivative(u, u_lo=None):
    """d/du [u sigmoid(u)] = sigmoid(u) + u sigmoid'(u), written without cancellation except at its root.

    With e = exp(-|u|): (1 + e(1 + u))/(1 + e)^2 for u >= 0 and e((1 + u) + e)/(1 + e)^2 for u < 0. Near the root
    u = -1.2785 (the minimum of silu) a Taylor expansion takes over. ``u_lo`` is the low part of a double-double u.
    """
    uc = np.clip(u, -1e3, 1e3)  # e = 0 beyond, and 0 * inf must not happen
    e = m.exp_neg_abs(uc)
    one_u = 1.0 + uc
    num = m.select(uc >= 0, 1.0 + e * one_u, e * (one_u + e))
    d = 1.0 + e
    num /= d * d
    if u_lo is not None:  # + u_lo * silu''(u), silu'' = sigmoid'(u) (2 + u (1 - 2 sigmoid(u)))
        s = m.select(uc >= 0, 1.0, e) / d
        num += u_lo * ((e / (d * d)) * (2.0 + uc * (1.0 - 2.0 * s)))
    tail = uc < -650.0
    if tail.any():
        lo = 0.0 if u_lo is None else u_lo[tail]
        num[tail] = m.mul_exp(one_u[tail] * (1.0 + lo), uc[tail])
    return m.root_patch(num, u, _roots.SILU_ROOT, _roots.SILU_D_TAYLOR, u_lo)


@m.blockwise
def _swish_derivative(x, beta, beta_lo=0.0):
    """swish'(x) = silu'(beta x)."""
    return silu_derivative(*_scaled(x, beta, beta_lo))


_SILU32_FLOOR = 300.0  # beyond -300, x*sigmoid(u) and silu'(u) round to 0 in float32 (|x| <= 3.4e38)


def _positive_beta(beta=1.0, beta_lo=0.0):
    return beta > 0


@m.float32_kernel(when=_positive_beta)
def _swish32(x, beta=1.0, beta_lo=0.0):
    # x/(1 + exp(-u)), u = beta*x (its rounding, 2^-53 relative, is harmless in float32; so is beta_lo)
    u = x * beta if beta != 1 else x.copy()
    np.maximum(u, -_SILU32_FLOOR, out=u)
    np.negative(u, out=u)
    np.exp(u, out=u)
    u += 1.0
    np.maximum(x, -m.FLT_MAX, out=x)  # -inf/(1 + e^300) would be -inf: -FLT_MAX/(1 + e^300) is the limit, -0
    x /= u
    return x


@m.float32_kernel(when=_positive_beta)
def _swish_derivative32(x, beta=1.0, beta_lo=0.0):
    """silu'(u) = s g, s = sigmoid(u), g = 1 + u (1 - s), u = beta*x: no cancellation but in g near the root
    u = -1.2785 (g' = 1 there), where the Taylor expansion takes over with u - root computed exactly (beta split so
    that beta_hi*x is exact)."""
    u = x * beta if beta != 1 else x.copy()
    np.clip(u, -_SILU32_FLOOR, _SILU32_FLOOR, out=u)  # 1 - s = 0 for u >= 37 already; keeps inf * 0 out
    s = _sigmoid_kernel(np.copy(u))
    g = np.subtract(1.0, s)
    g *= u
    g += 1.0
    near = np.abs(g, out=u) < m.ROOT_WINDOW32
    g *= s
    hi, lo = _roots.SILU_ROOT
    if beta == 1:
        return m.root_patch32(g, near, _roots.SILU_D_TAYLOR, lambda i: (x.take(i) - hi) - lo)
    b_hi, b_lo = m.split(np.float64(beta))
    b_lo += beta_lo
    # b_hi has 26 bits, so b_hi*x is exact, and so is b_hi*x - hi near the root (Sterbenz)
    return m.root_patch32(g, near, _roots.SILU_D_TAYLOR, lambda i: ((b_hi * x.take(i) - hi) + b_lo * x.take(i)) - lo)


exact("silu", forward=swish, derivative=silu_derivative)
float32("silu", forward=_swish32, derivative=_swish_derivative32)
exact("swish", forward=swish, derivative=_swish_derivative)
float32("swish", forward=_swish32, derivative=_swish_derivative32)

_QUICK = (1.702, 4.263256414560601e-17)  # 1.702 = hi + lo: the decimal constant, not its double

exact("quick_gelu", forward=lambda x: swish(x, *_QUICK), derivative=lambda x: _swish_derivative(x, *_QUICK))
float32(
    "quick_gelu",
    forward=lambda x: _swish32(x, beta=_QUICK[0], beta_lo=_QUICK[1]),
    derivative=lambda x: _swish_derivative32(x, beta=_QUICK[0], beta_lo=_QUICK[1]),
)
exact("gelu", forward=m.gelu, derivative=m.gelu_derivative)

_GELU_C1 = (1.5957691216057308, -9.96930880911092e-17)  # 2*sqrt(2/pi) as hi + lo

_GELU_C3 = (0.07135481627260025, -6.175149918155315e-19)  # 2*sqrt(2/pi)*0.044715 as hi + lo

_GELU_TAIL = -1.0  # below, sigmoid(v) ~ e^v and v's rounding error (|v| eps) would show: use double-double v


def _gelu_tanh_arg(x):
    """v = 2*sqrt(2/pi)*(x + 0.044715 x^3), so that 0.5(1 + tanh z) = sigmoid(v); returns (v, v_lo).

    v_lo is 0 except in the left tail, where v is computed in double-double arithmetic and v_lo is the part of the
    exact v that v does not hold (the result is then multiplied by 1 + v_lo: sigmoid(v + d) ~ sigmoid(v)(1 + d)).
    """
    xc = np.clip(x, -1e100, 1e100)
    v = xc * (_GELU_C1[0] + _GELU_C3[0] * (xc * xc))
    v_lo = np.zeros_like(v)
    tail = (x < _GELU_TAIL) & (x > -40.0)
    if tail.any():
        t = x[tail]
        p_hi, p_lo = m.two_square(t)
        q_hi, q_lo = m.two_prod(np.full_like(t, _GELU_C3[0]), p_hi)
        q_lo += _GELU_C3[0] * p_lo + _GELU_C3[1] * p_hi
        s_hi, s_lo = m.two_sum(np.full_like(t, _GELU_C1[0]), q_hi)
        s_lo += q_lo + _GELU_C1[1]
        v_hi, v_lo_t = m.two_prod(t, s_hi)
        v_lo_t += t * s_lo
        v[tail] = v_hi
        v_lo[tail] = v_lo_t
    return xc, v, v_lo


@m.blockwise
def _gelu_tanh(x):
    xc, v, v_lo = _gelu_tanh_arg(x)
    e = m.exp_neg_abs(v)
    num = m.select(v >= 0, x, xc * e)
    num /= 1.0 + e
    num *= 1.0 + v_lo
    sub = v < -650.0  # the result is subnormal: round once
    if sub.any():
        num[sub] = m.mul_exp(xc[sub] * (1.0 + v_lo[sub]), v[sub])
    return num


@m.blockwise
def _gelu_tanh_derivative(x):
    xc, v, v_lo = _gelu_tanh_arg(x)
    dv = _GELU_C1[0] + (3.0 * _GELU_C3[0]) * (xc * xc)  # dv/dx
    # sigmoid(v) + x v' sigmoid'(v) = (a + x v' e)/(1 + e)^2 with e = exp(-|v|), a = 1 + e (v >= 0) or e(1 + e)
    e = m.exp_neg_abs(v)
    d = 1.0 + e
    a = m.select(v >= 0, d, e * d)
    y = (a + (xc * dv) * e) / (d * d)
    y *= 1.0 + v_lo
    sub = v < -650.0  # the result is subnormal: round once
    if sub.any():
        y[sub] = m.mul_exp((1.0 + xc[sub] * dv[sub]) * (1.0 + v_lo[sub]), v[sub])
    y = m.root_patch(y, x, _roots.GELU_TANH_ROOT, _roots.GELU_TANH_D_TAYLOR)
    return m.select(np.abs(x) >= 1e100, m.select(x > 0, 1.0, 0.0), y)  # x dv e is inf * 0 out there


exact("gelu_tanh", forward=_gelu_tanh, derivative=_gelu_tanh_derivative)


def _mish_parts(x, with_complement=True):
    """(r, 1 - r, e) with r = tanh(softplus(x)), both without cancellation, and e = exp(-|x|).

    With p = e(e + 2): r = p/(p + 2), 1 - r = 2/(p + 2) for x <= 0;
    r = (1 + 2e)/(1 + 2e + 2e^2), 1 - r = 2e^2/(1 + 2e + 2e^2) for x > 0.
    """
    e = m.exp_neg_abs(x)
    pos = x > 0
    two_e = 2.0 * e
    p = e * (e + 2.0)
    den = m.select(pos, 1.0 + two_e + two_e * e, p + 2.0)
    r = m.select(pos, 1.0 + two_e, p)
    r /= den
    if not with_complement:
        return r, None, e
    omr = m.select(pos, two_e * e, 2.0)
    omr /= den
    return r, omr, e


@m.blockwise
def _mish(x):
    r, _, _ = _mish_parts(x, with_complement=False)
    xc = np.maximum(x, -1e300)  # -inf * 0 is NaN; mish(-1e300) = -0 already
    y = xc * r
    tail = x < -650.0
    if tail.any():  # mish(x) = x e^x (1 + O(e^x)) there: rounded once in the subnormal range
        y[tail] = m.mul_exp(xc[tail], xc[tail])
    return y


@m.blockwise
def _mish_derivative(x):
    # d/dx x tanh(sp(x)) = r + x (1 - r^2) sigmoid(x), and 1 - r^2 = (1 - r)(1 + r)
    r, omr, e = _mish_parts(x)
    sig = m.select(x >= 0, 1.0, e)
    sig /= 1.0 + e
    xc = np.clip(x, -1e300, 1e300)
    y = r + (xc * omr) * ((1.0 + r) * sig)
    tail = x < -650.0
    if tail.any():  # mish'(x) = e^x (1 + x) (1 + O(e^x)) there: rounded once in the subnormal range
        y[tail] = m.mul_exp(1.0 + xc[tail], xc[tail])
    return m.root_patch(y, x, _roots.MISH_ROOT, _roots.MISH_D_TAYLOR)


_MISH32_CAP = 30.0  # beyond, tanh(softplus(x)) = 1 - 2e^-2x rounds to 1 in float64


@m.float32_kernel
def _mish32(x):
    # r = tanh(softplus(x)) = p/(p + 2), p = E(E + 2), E = exp(x): no cancellation; E = 0 below -745 (mish -> 0)
    e = np.minimum(x, _MISH32_CAP)
    np.exp(e, out=e)
    p = e + 2.0
    p *= e
    r = p + 2.0
    np.divide(p, r, out=r)
    np.maximum(x, -m.FLT_MAX, out=x)  # -inf * 0 would be NaN; -FLT_MAX * 0 is the limit
    x *= r
    return x


@m.float32_kernel
def _mish_derivative32(x):
    # r + x (1 - r)(1 + r) sigmoid(x), 1 - r = 2/(p + 2); the Taylor expansion near the root x = -1.1924
    xc = np.minimum(x, _MISH32_CAP)
    e = np.exp(xc)
    s = e + 1.0
    np.divide(e, s, out=s)  # sigmoid(x)
    p = e + 2.0
    p *= e
    q = p + 2.0
    r = np.divide(p, q, out=p)
    np.divide(2.0, q, out=q)  # 1 - r
    np.maximum(xc, -m.FLT_MAX, out=xc)
    xc *= q
    xc *= s
    y = r + 1.0
    y *= xc
    y += r
    hi, lo = _roots.MISH_ROOT
    near = np.abs(np.subtract(x, hi, out=xc), out=xc) < m.ROOT_WINDOW32
    return m.root_patch32(y, near, _roots.MISH_D_TAYLOR, lambda i: (x.take(i) - hi) - lo)


exact("mish", forward=_mish, derivative=_mish_derivative)
float32("mish", forward=_mish32, derivative=_mish_derivative32)


def _squareplus_parts(x, b):
    """(h, q/2) with h = sqrt(x^2 + b) (no overflow of x^2) and q = h + |x| halved before it can overflow."""
    h = m.sqrt_sq_plus(x, b)
    return h, 0.5 * h + 0.5 * np.abs(x)


@m.blockwise
def _squareplus(x, b):
    # (x + sqrt(x^2 + b))/2 = q/2 for x >= 0; for x < 0 the same value is b/(2 (sqrt(x^2 + b) - x)) = (b/4)/(q/2).
    h, half_q = _squareplus_parts(x, b)
    return m.select(x >= 0, half_q, (0.25 * b) / half_q)


@m.blockwise
def _squareplus_derivative(x, b):
    # (1 + x/h)/2 = 1 - t for x >= 0 and t for x < 0, with t = b/(2 q h) (no cancellation, no inf/inf).
    h, half_q = _squareplus_parts(x, b)
    t = ((0.25 * b) / half_q) / h
    return m.select(x >= 0, 1.0 - t, t)


_SQUAREPLUS32_CLIP = 1e150  # +-inf -> +-1e150: x^2 + b stays finite, b/(4 * 1e150) and 1e150 round to 0 and inf


def _squareplus32_parts(x, b):
    """(z, h, pos): h = sqrt(x^2 + b), z = (h + |x|)/2 = f(|x|) (and f(-|x|) = (b/4)/z), pos = 1 for x > 0, 0 for
    x <= 0 (at 0 both forms agree), NaN for NaN."""
    np.clip(x, -_SQUAREPLUS32_CLIP, _SQUAREPLUS32_CLIP, out=x)
    h = x * x  # exact for float32 x
    h += b
    np.sqrt(h, out=h)
    z = np.abs(x)
    z += h
    z *= 0.5
    pos = np.clip(x, 0.0, 1.0)
    np.ceil(pos, out=pos)
    return z, h, pos


@m.float32_kernel
def _squareplus32(x, b):
    z, _, pos = _squareplus32_parts(x, b)
    y = np.divide(0.25 * b, z)
    z -= y  # z >= (b/4)/z >= 0, so y + pos (z - y) is z to an ULP or exactly y
    z *= pos
    y += z
    return y


@m.float32_kernel
def _squareplus_derivative32(x, b):
    z, h, pos = _squareplus32_parts(x, b)
    t = np.divide(0.25 * b, z)
    t /= h  # t = b/(2 q h) <= 1/2: the derivative for x < 0, 1 - t for x >= 0
    y = t * -2.0
    y += 1.0
    y *= pos
    y += t
    return y


exact("squareplus", forward=_squareplus, derivative=_squareplus_derivative)
float32("squareplus", forward=_squareplus32, derivative=_squareplus_derivative32)
