"""Smooth rectifiers: softplus, log-sigmoid, softsign, SiLU/Swish, QuickGELU, GELU (erf and tanh forms), Mish,
squareplus."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.registry import register
from actlab.spec import Activation, Param, Properties

# --- softplus and log-sigmoid ---------------------------------------------------------------------------------------


def _softplus(x, beta, threshold):
    u = x if beta == 1 else beta * x
    y = m.softplus(u)
    if beta != 1:
        y /= beta
    return np.where(u > threshold, x, y)


def _softplus_derivative(x, beta, threshold):
    u = x if beta == 1 else beta * x
    return np.where(u > threshold, 1.0, m.sigmoid(u))


SOFTPLUS = register(
    Activation(
        name="softplus",
        aliases=("smooth_relu",),
        summary="log(1 + e^(beta x))/beta: a smooth ReLU whose derivative is the sigmoid.",
        forward=_softplus,
        derivative=_softplus_derivative,
        formula="Piecewise((x, beta*x > threshold), (log(1 + exp(beta*x))/beta, True))",
        params=(Param("beta", 1.0, 0.0, low_open=True, doc="sharpness; softplus -> relu as beta -> inf"),
                Param("threshold", 40.0, 0.0, doc="above beta*x = threshold return x (PyTorch's shortcut)")),
        kinks=lambda p: (p["threshold"] / p["beta"],) if p["threshold"] < 36 else (),
        properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="left", sparse=False),
        notes="Computed as max(u, 0) + log1p(exp(-|u|)), u = beta*x: never overflows (the textbook log(1 + exp(x)) "
              "is inf above 709). PyTorch returns x where beta*x > threshold, default 20; in float64 that is off by "
              "up to 2e-9 (6e5 ULP) between 20 and 36. Our default threshold 40 is past the point where x is already "
              "the correctly rounded value, so the default is exact; pass threshold=20 to reproduce PyTorch bit for "
              "bit (identical in float32 either way).",
        frameworks={"torch": "F.softplus", "torch_args": "beta=beta, threshold=threshold", "keras": "softplus",
                    "jax": "nn.softplus"},
        reference="Dugas et al. 2001, Incorporating Second-Order Functional Knowledge; Glorot et al. 2011",
    )
)

LOG_SIGMOID = register(
    Activation(
        name="log_sigmoid",
        aliases=("logsigmoid",),
        summary="log(sigmoid(x)) = -softplus(-x): the stable log-probability of a logistic output.",
        forward=m.log_sigmoid,
        derivative=lambda x: m.sigmoid(-x),
        formula="-softplus(-x)",
        properties=Properties(range=(-math.inf, 0.0), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="right", sparse=False),
        notes="min(x, 0) - log1p(exp(-|x|)); log(1/(1 + exp(-x))) overflows below x = -709.",
        frameworks={"torch": "F.logsigmoid", "keras": "log_sigmoid", "jax": "nn.log_sigmoid"},
        reference="(textbook); jax.nn.log_sigmoid",
    )
)

# --- softsign -------------------------------------------------------------------------------------------------------

_BIG = 1e20  # beyond |x| = 1e20 softsign(x) rounds to +-1 and its derivative to 1/x^2; clipping avoids inf/inf


def _softsign(x):
    xc = np.clip(x, -_BIG, _BIG)
    return xc / (1.0 + np.abs(xc))


def _softsign_derivative(x):
    r = 1.0 / (1.0 + np.abs(x))
    return r * r  # not 1/(1+|x|)^2, which overflows at 1e154 where the exact value is still normal


SOFTSIGN = register(
    Activation(
        name="softsign",
        aliases=("soft_sign",),
        summary="x/(1 + |x|): a sigmoid-shaped squashing to (-1, 1) with polynomial, not exponential, tails.",
        forward=_softsign,
        derivative=_softsign_derivative,
        derivative_from_output=lambda y: (1.0 - np.abs(y)) ** 2,
        formula="x/(1 + Abs(x))",
        kinks=(0.0,),
        properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=1, saturates="both",
                              sparse=False),
        notes="softsign(+-inf) = +-1 (PyTorch returns NaN). C^1: the second derivative jumps at 0.",
        frameworks={"torch": "F.softsign", "keras": "softsign", "jax": "nn.soft_sign"},
        reference="Bergstra et al. 2009; Glorot & Bengio 2010",
    )
)

# --- SiLU / Swish / QuickGELU ---------------------------------------------------------------------------------------


def swish(x, beta=1.0):
    """x * sigmoid(beta x), exact at +-inf (silu(-inf) = 0) and rounded once in the subnormal tail."""
    u = x if beta == 1 else beta * np.clip(x, -1e300, 1e300)  # clip: 0 * inf is NaN when beta = 0
    e = m.exp_neg_abs(u)
    xc = np.clip(x, -1e300, 1e300)  # inf * 0 would be NaN (also in the unused branch); exp(-1e300) = 0 anyway
    num = np.where(u >= 0, x, xc * e)
    num /= 1.0 + e
    tail = u < -650.0
    if tail.any():  # x e^u becomes subnormal: round once
        num[tail] = m.mul_exp(xc[tail], u[tail])
    return num


def silu_derivative(u):
    """d/du [u sigmoid(u)] = sigmoid(u) + u sigmoid'(u), written without cancellation except at its root.

    With e = exp(-|u|): (1 + e(1 + u))/(1 + e)^2 for u >= 0 and e((1 + u) + e)/(1 + e)^2 for u < 0; 1 + u is exact
    near the root u = -1.2785 (Sterbenz), so only e's tiny error is amplified there.
    """
    uc = np.clip(u, -1e3, 1e3)  # e = 0 beyond, and 0 * inf must not happen
    e = m.exp_neg_abs(uc)
    one_u = 1.0 + uc
    num = np.where(uc >= 0, 1.0 + e * one_u, e * (one_u + e))
    d = 1.0 + e
    num /= d * d
    tail = uc < -650.0
    if tail.any():
        num[tail] = m.mul_exp(one_u[tail], uc[tail])
    return num


SILU = register(
    Activation(
        name="silu",
        aliases=("swish1", "swish_1", "sigmoid_linear_unit"),
        summary="x * sigmoid(x): the sigmoid-weighted linear unit (Swish with beta = 1); smooth, non-monotonic.",
        forward=swish,
        derivative=silu_derivative,
        formula="x*sigmoid(x)",
        properties=Properties(range=(-0.27846454276107380, math.inf), monotonic=False, zero_centered=False,
                              smooth=math.inf, saturates="left", sparse=False),
        notes="silu(-inf) = 0 and silu(x) stays exact (subnormal) down to x = -745, where PyTorch returns 0 below "
              "x = -88.7 in float32 and NaN at -inf. Minimum -0.27846 at x = -1.27846.",
        frameworks={"torch": "F.silu", "keras": "silu", "jax": "nn.silu"},
        reference="Hendrycks & Gimpel 2016 (SiLU), arXiv:1606.08415; Elfwing et al. 2017; Ramachandran et al. 2017",
    )
)


def _swish_min(beta):
    return -0.27846454276107380 / beta if beta > 0 else -math.inf


SWISH = register(
    Activation(
        name="swish",
        summary="x * sigmoid(beta x): SiLU with a (possibly learned) sharpness beta; beta -> inf gives ReLU.",
        forward=swish,
        derivative=lambda x, beta: silu_derivative(x if beta == 1 else beta * np.clip(x, -1e300, 1e300)),
        formula="x*sigmoid(beta*x)",
        params=(Param("beta", 1.0, 0.0, learnable=True, doc="sharpness; 1 is SiLU, 0 is x/2"),),
        properties=lambda p: Properties(range=(_swish_min(p["beta"]) if p["beta"] > 0 else -math.inf, math.inf),
                                        monotonic=p["beta"] == 0, zero_centered=False, smooth=math.inf,
                                        saturates="left" if p["beta"] > 0 else "none", sparse=False),
        notes="swish'(x) = silu'(beta x). With beta = 1 this is silu (one definition: silu is this code).",
        frameworks={"torch": "F.silu", "keras": "swish", "jax": "nn.swish"},
        reference="Ramachandran, Zoph & Le 2017, Searching for Activation Functions, arXiv:1710.05941",
    )
)

_QUICK = 1.702

QUICK_GELU = register(
    Activation(
        name="quick_gelu",
        aliases=("quickgelu",),
        summary="x * sigmoid(1.702 x): the sigmoid approximation of GELU used by CLIP.",
        forward=lambda x: swish(x, _QUICK),
        derivative=lambda x: silu_derivative(_QUICK * np.clip(x, -1e300, 1e300)),
        formula="x*sigmoid(1.702*x)",
        properties=Properties(range=(-0.27846454276107380 / _QUICK, math.inf), monotonic=False,
                              zero_centered=False, smooth=math.inf, saturates="left", sparse=False),
        notes="swish with beta = 1.702 (Hendrycks & Gimpel's sigmoid approximation of GELU).",
        frameworks={},
        reference="Hendrycks & Gimpel 2016, arXiv:1606.08415; Radford et al. 2021 (CLIP)",
    )
)

# --- GELU -----------------------------------------------------------------------------------------------------------


GELU = register(
    Activation(
        name="gelu",
        aliases=("gelu_erf", "gaussian_error_linear_unit"),
        summary="x * Phi(x), Phi the standard normal CDF: weights inputs by how likely they are to be kept.",
        forward=m.gelu,
        derivative=m.gelu_derivative,
        formula="x/2*(1 + erf(x/sqrt(2)))",
        properties=Properties(range=(-0.16997120747990366, math.inf), monotonic=False, zero_centered=False,
                              smooth=math.inf, saturates="left", sparse=False),
        notes="The exact erf form (PyTorch approximate='none', jax approximate=False). Phi(x) for x < 0 is "
              "erfcx(-x/sqrt2) * exp(-x^2/2)/2 with x^2 exact, so the left tail is exact down to the subnormal "
              "range; 0.5x(1 + erf(x/sqrt2)) is -0 below x = -5.4 in float32 (PyTorch). Minimum -0.16997 at "
              "x = -0.75179.",
        frameworks={"torch": "F.gelu", "keras": "gelu", "jax": "nn.gelu", "jax_args": "approximate=False"},
        reference="Hendrycks & Gimpel 2016, Gaussian Error Linear Units, arXiv:1606.08415",
    )
)

_GELU_C1 = 1.5957691216057308  # 2*sqrt(2/pi)
_GELU_C3 = 0.071354816272923   # 2*sqrt(2/pi)*0.044715


def _gelu_tanh_arg(x):
    """2*sqrt(2/pi)*(x + 0.044715 x^3) (the argument of sigmoid: 0.5(1 + tanh z) = sigmoid(2z))."""
    xc = np.clip(x, -1e100, 1e100)
    return xc * (_GELU_C1 + _GELU_C3 * (xc * xc))


def _gelu_tanh(x):
    v = _gelu_tanh_arg(x)
    e = m.exp_neg_abs(v)
    num = np.where(v >= 0, x, np.clip(x, -1e300, 1e300) * e)
    num /= 1.0 + e
    return num


def _gelu_tanh_derivative(x):
    v = _gelu_tanh_arg(x)
    xc = np.clip(x, -1e100, 1e100)
    dv = _GELU_C1 + 3.0 * _GELU_C3 * (xc * xc)  # dv/dx
    s = m.sigmoid(v)
    ds = m.sigmoid_derivative(v)
    return s + np.where(np.abs(x) < 1e100, xc * dv * ds, 0.0)


GELU_TANH = register(
    Activation(
        name="gelu_tanh",
        aliases=("gelu_approx", "gelu_new", "gelu_pytorch_tanh", "approximate_gelu"),
        summary="0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))): the tanh approximation of GELU (BERT, GPT-2).",
        forward=_gelu_tanh,
        derivative=_gelu_tanh_derivative,
        formula="x/2*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))",
        properties=Properties(range=(-0.17004075057125405, math.inf), monotonic=False, zero_centered=False,
                              smooth=math.inf, saturates="left", sparse=False),
        notes="Computed as x*sigmoid(2z) (1 + tanh z = 2 sigmoid(2z)), which has no cancellation for x < 0. "
              "Differs from the exact GELU by at most 4.7e-4. keras/jax 'gelu' default to this approximation "
              "(approximate=True); PyTorch and actlab's 'gelu' are exact.",
        frameworks={"torch": "F.gelu", "torch_args": "approximate='tanh'", "keras": "gelu",
                    "keras_args": "approximate=True", "jax": "nn.gelu", "jax_args": "approximate=True"},
        reference="Hendrycks & Gimpel 2016, arXiv:1606.08415",
    )
)

# --- Mish -----------------------------------------------------------------------------------------------------------


def _mish_parts(x):
    """(r, 1 - r) with r = tanh(softplus(x)), both without cancellation.

    With e = exp(-|x|) and p = e(e + 2): r = p/(p + 2), 1 - r = 2/(p + 2) for x <= 0;
    r = (1 + 2e)/(1 + 2e + 2e^2), 1 - r = 2e^2/(1 + 2e + 2e^2) for x > 0.
    """
    e = m.exp_neg_abs(x)
    pos = x > 0
    two_e = 2.0 * e
    p = e * (e + 2.0)
    den = np.where(pos, 1.0 + two_e + two_e * e, p + 2.0)
    r = np.where(pos, 1.0 + two_e, p) / den
    one_minus_r = np.where(pos, two_e * e, 2.0) / den
    return r, one_minus_r


def _mish(x):
    r, _ = _mish_parts(x)
    xc = np.maximum(x, -1e300)  # -inf * 0 is NaN; mish(-1e300) = -0 already
    y = xc * r
    tail = x < -650.0
    if tail.any():  # mish(x) = x e^x (1 + O(e^x)) there: rounded once in the subnormal range
        y[tail] = m.mul_exp(xc[tail], xc[tail])
    return y


def _mish_derivative(x):
    r, omr = _mish_parts(x)
    # d/dx x tanh(sp(x)) = r + x (1 - r^2) sigmoid(x), and 1 - r^2 = (1 - r)(1 + r)
    xc = np.clip(x, -1e300, 1e300)
    return r + (xc * omr) * ((1.0 + r) * m.sigmoid(xc))


MISH = register(
    Activation(
        name="mish",
        summary="x * tanh(softplus(x)): smooth, non-monotonic, unbounded above; a self-regularised SiLU cousin.",
        forward=_mish,
        derivative=_mish_derivative,
        formula="x*tanh(softplus(x))",
        properties=Properties(range=(-0.30884341301725041, math.inf), monotonic=False, zero_centered=False,
                              smooth=math.inf, saturates="left", sparse=False),
        notes="tanh(softplus(x)) = p/(p + 2), p = e^x(e^x + 2), evaluated from exp(-|x|): no overflow, mish(-inf) = 0 "
              "(PyTorch: NaN) and exact down to the subnormal range (PyTorch float32 is off by 137 ULP).",
        frameworks={"torch": "F.mish", "keras": "mish", "jax": "nn.mish"},
        reference="Misra 2019, Mish: A Self Regularized Non-Monotonic Activation Function, arXiv:1908.08681",
    )
)

# --- squareplus -----------------------------------------------------------------------------------------------------


def _squareplus_parts(x, b):
    h = np.hypot(x, math.sqrt(b))  # sqrt(x^2 + b) without overflow at x = 1e300
    q = h + np.abs(x)  # no cancellation
    return h, q


def _squareplus(x, b):
    # (x + sqrt(x^2 + b))/2 for x >= 0; for x < 0 the same value is b / (2 (sqrt(x^2 + b) - x)).
    h, q = _squareplus_parts(x, b)
    return np.where(x >= 0, 0.5 * q, (0.5 * b) / q)


def _squareplus_derivative(x, b):
    # (1 + x/h)/2 = 1 - t for x >= 0 and t for x < 0, with t = b / (2 q h) (no cancellation, no inf/inf).
    h, q = _squareplus_parts(x, b)
    t = ((0.5 * b) / q) / h
    return np.where(x >= 0, 1.0 - t, t)


SQUAREPLUS = register(
    Activation(
        name="squareplus",
        summary="(x + sqrt(x^2 + b))/2: an algebraic softplus, no exp or log.",
        forward=_squareplus,
        derivative=_squareplus_derivative,
        formula="(x + sqrt(x**2 + b))/2",
        params=(Param("b", 4.0, 0.0, low_open=True, doc="curvature at 0; b -> 0 gives ReLU"),),
        properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                              saturates="left", sparse=False),
        notes="For x < 0 the textbook form cancels (and is 0 below x = -1e8); we use b/(2(sqrt(x^2 + b) - x)). "
              "jax's default b = 4.",
        frameworks={"jax": "nn.squareplus"},
        reference="Barron 2021, Squareplus: A Softplus-Like Algebraic Rectifier, arXiv:2112.11687",
    )
)
