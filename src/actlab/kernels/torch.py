"""Torch kernels, one per catalog activation: f(x) and f'(x) written with torch ops, plus the native twin.

Every kernel here is *pure* (no in-place ops) and built from differentiable torch functions, so the same code serves
three uses: the fast no-grad pass (run in cache-sized chunks by :mod:`actlab.torch.autograd`), the exact pass (the
same code in float64, rounded once), and double backward (autograd differentiates ``derivative``).

The algorithms follow the catalog's NumPy ones (``actlab/kernels/numpy``): the symmetric sigmoid, ``logaddexp`` for
softplus, ``expm1`` for ELU/CELU, ``erfc`` for GELU, series where a difference cancels, ``hypot`` where a square
overflows, and the limits at +-inf set explicitly where the formula would give ``inf * 0``.

A kernel may also name:

* ``native`` - the ``torch.nn.functional`` call with the same semantics (parameters mapped), used by the fast mode;
* ``mask``/``slopes`` - for piecewise-linear activations, f'(x) = slopes[0] where mask(x) else slopes[1], which is
  what lets ``memory="bit"`` keep one bit per element;
* ``inplace`` - the native call honours ``inplace=True``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import torch
import torch.nn.functional as F

Tensor = torch.Tensor


@dataclass(frozen=True)
class Kernel:
    name: str
    forward: Callable[..., Tensor]
    derivative: Callable[..., Tensor] | None = None  # elementwise kinds
    native: Callable[..., Tensor] | None = None  # torch.nn.functional twin, same parameters
    inplace: bool = False  # native honours inplace=True
    mask: Callable[..., Tensor] | None = None  # piecewise-linear: where f' takes slopes[0]
    slopes: Callable[..., tuple[float, float]] | None = None
    vjp: Callable[..., Tensor] | None = None  # non-elementwise kinds: (x, g, dim, **p) -> grad wrt x
    # Measured in benchmarks/torch_ops.py (docs/torch.md): exact fwd+bwd within 1.2x of native -> exact by default.
    exact_default: bool = False
    bit_default: bool = False  # memory="bit" within 1.2x of native -> the default
    native_exact: bool = False  # the native float32 kernel already meets 1 ULP / 2 ULP: exact mode uses it
    # The forward is one torch op whose own kernel beats a compiled loop (measured): the fused Function calls it on
    # the whole tensor, and only its backward is compiled. arctan (float64 input, or not compiled): torch.atan uses
    # MKL's VML, faster than Inductor's loop.
    direct_forward: bool = False
    # A forward for inputs narrower than float64 (float32, float16, bfloat16) where the pass is compiled: computed in
    # float64 inside from basic operations only, accurate to 2^-43 relative (so exact once rounded) without a float64
    # library call. arctan: a polynomial loop measured faster than torch.atan (op by op, chunked, it
    # is slower). float64 inputs keep ``forward``.
    forward_narrow: Callable[..., Tensor] | None = None
    # Gated kinds: (the elementwise kernel of the gate, the half it acts on): y = gate(h[i]) * h[1 - i] for the
    # halves h of x. actlab's Gated Function uses it where its passes compile (saves only x, one loop per pass);
    # elsewhere ``forward``, the plain composition of native ops, is faster.
    gate: tuple[str, int] | None = None
    # The gate as (forward, derivative) in torch's own semantics, for the fast (non-exact) Gated Function where the
    # exact kernel's primitives compile slowly: GeGLU's erfc-based GELU loop measured slower than its erf-based one.
    gate_fast: tuple[Callable[..., Tensor], Callable[..., Tensor]] | None = None


KERNELS: dict[str, Kernel] = {}


def kernel(name: str, **fields: Any) -> Callable:
    """Register ``fn`` (the forward) as the kernel of the catalog activation ``name``."""

    def wrap(fn: Callable) -> Callable:
        if name in KERNELS:
            raise ValueError(f"two torch kernels for {name!r}")
        KERNELS[name] = Kernel(name=name, forward=fn, **fields)
        return fn

    return wrap


# --- stable pieces ------------------------------------------------------------------------------------------------
def limits(x: Tensor, y: Tensor, at_minus_inf: float, at_plus_inf: float) -> Tensor:
    """y with the exact limits at x = -inf / +inf (where the formula meets inf * 0 or inf / inf)."""
    return torch.where(x == -math.inf, at_minus_inf, torch.where(x == math.inf, at_plus_inf, y))


def sigmoid(x: Tensor) -> Tensor:
    return torch.sigmoid(x)  # 1/(1+exp(-x)): exp overflows to inf for x << 0, giving the exact limit 0


def dsigmoid(x: Tensor) -> Tensor:
    """s(x) * s(-x): no cancellation in 1 - s for large x (the native s*(1-s) is 0 above 16.6 in float32)."""
    return torch.sigmoid(x) * torch.sigmoid(-x)


def softplus(x: Tensor) -> Tensor:
    return torch.logaddexp(x, torch.zeros((), dtype=x.dtype, device=x.device))


def _scalar(x: Tensor, v: float) -> Tensor:
    return torch.full((), v, dtype=x.dtype, device=x.device)


def _isnan(x: Tensor) -> Tensor:
    """torch.isnan(x) as ``x != x``: the same test, but Inductor's CPU loop vectorises the comparison, where it runs
    isnan one element at a time inside the vector loop (the gain is in docs/torch.md, benchmarks/torch_ops.py)."""
    return x != x


def _step(cond: Tensor, x: Tensor) -> Tensor:
    """1.0 where cond, else 0.0, NaN where x is NaN (the catalog's derivatives propagate NaN)."""
    # where(cond, 1, 0) rather than cond.to(x.dtype): Inductor's loop converting bool to float64 is slower
    return torch.where(_isnan(x), x, torch.where(cond, _scalar(x, 1.0), _scalar(x, 0.0)))


# --- classic ------------------------------------------------------------------------------------------------------
@kernel("binary_step", derivative=lambda x, threshold=0.0: torch.where(_isnan(x), x, torch.zeros_like(x)),
        mask=lambda x, threshold=0.0: torch.zeros_like(x, dtype=torch.bool), slopes=lambda threshold=0.0: (0.0, 0.0),
        bit_default=True)  # f' = 0: memory="bit" saves nothing and measured faster than saving x (docs/torch.md)
def _binary_step(x, threshold=0.0):
    return _step(x >= threshold, x)


# x * c is one correctly rounded op: torch's multiplication is the native kernel and already exact. (memory="bit"
# stays available; it saves nothing either, and measured slower than the native multiplication: docs/torch.md.)
@kernel("identity", derivative=lambda x, c=1.0: torch.where(_isnan(x), x, torch.full_like(x, 1.0) * c),
        native=lambda x, c=1.0: x * c, native_exact=True,
        mask=lambda x, c=1.0: torch.zeros_like(x, dtype=torch.bool), slopes=lambda c=1.0: (c, c))
def _identity(x, c=1.0):
    return x * c


@kernel("sigmoid", derivative=dsigmoid, native=lambda x: torch.sigmoid(x))
def _sigmoid(x):
    return torch.sigmoid(x)


@kernel("tanh", derivative=lambda x: 1.0 / torch.cosh(x) ** 2, native=lambda x: torch.tanh(x))
def _tanh(x):
    return torch.tanh(x)


# --- ReLU family --------------------------------------------------------------------------------------------------
@kernel("relu", derivative=lambda x: _step(x > 0, x), native=F.relu, inplace=True, mask=lambda x: x > 0,
        slopes=lambda: (1.0, 0.0), native_exact=True)
def _relu(x):
    return torch.relu(x)


@kernel("leaky_relu", derivative=lambda x, alpha=0.01: torch.where(_isnan(x), x, torch.where(x > 0, 1.0, alpha)),
        native=lambda x, alpha=0.01, inplace=False: F.leaky_relu(x, alpha, inplace), inplace=True,
        mask=lambda x, alpha=0.01: x > 0, slopes=lambda alpha=0.01: (1.0, alpha), native_exact=True)
def _leaky_relu(x, alpha=0.01):
    return torch.where(x > 0, x, x * alpha)


@kernel("prelu", derivative=lambda x, alpha=0.25: torch.where(_isnan(x), x, torch.where(x > 0, 1.0, alpha)),
        mask=lambda x, alpha=0.25: x > 0, slopes=lambda alpha=0.25: (1.0, alpha), exact_default=True)
def _prelu(x, alpha=0.25):
    return torch.where(x > 0, x, x * alpha)


def _clamp_mask(lo: float, hi: float):
    return lambda x, **p: (x > lo) & (x < hi)


@kernel("relu6", derivative=lambda x: _step((x > 0) & (x < 6), x), native=lambda x, inplace=False: F.relu6(x, inplace),
        inplace=True, mask=lambda x: (x > 0) & (x < 6), slopes=lambda: (1.0, 0.0), native_exact=True)
def _relu6(x):
    return torch.clamp(x, 0.0, 6.0)


@kernel("capped_relu", derivative=lambda x, cap=6.0: _step((x > 0) & (x < cap), x),
        native=lambda x, cap=6.0, inplace=False: F.hardtanh(x, 0.0, cap, inplace), inplace=True,
        mask=lambda x, cap=6.0: (x > 0) & (x < cap), slopes=lambda cap=6.0: (1.0, 0.0), native_exact=True)
def _capped_relu(x, cap=6.0):
    return torch.clamp(x, 0.0, cap)


@kernel("hard_tanh", derivative=lambda x, min_val=-1.0, max_val=1.0: _step((x > min_val) & (x < max_val), x),
        native=lambda x, min_val=-1.0, max_val=1.0, inplace=False: F.hardtanh(x, min_val, max_val, inplace),
        inplace=True, mask=lambda x, min_val=-1.0, max_val=1.0: (x > min_val) & (x < max_val),
        slopes=lambda min_val=-1.0, max_val=1.0: (1.0, 0.0), native_exact=True)
def _hard_tanh(x, min_val=-1.0, max_val=1.0):
    return torch.clamp(x, min_val, max_val)


@kernel("threshold", derivative=lambda x, threshold=0.0, value=0.0: _step(x > threshold, x),
        native=lambda x, threshold=0.0, value=0.0, inplace=False: F.threshold(x, threshold, value, inplace),
        inplace=True, mask=lambda x, threshold=0.0, value=0.0: x > threshold,
        slopes=lambda threshold=0.0, value=0.0: (1.0, 0.0), native_exact=True)
def _threshold(x, threshold=0.0, value=0.0):
    return torch.where(x > threshold, x, torch.where(_isnan(x), x, _scalar(x, value)))


def _rrelu_slope(lower, upper):
    return (lower + upper) / 2.0


@kernel("rrelu", derivative=lambda x, lower=1 / 8, upper=1 / 3: torch.where(
            _isnan(x), x, torch.where(x >= 0, 1.0, _rrelu_slope(lower, upper))),
        native=lambda x, lower=1 / 8, upper=1 / 3, inplace=False: F.leaky_relu(x, _rrelu_slope(lower, upper), inplace),
        inplace=True, mask=lambda x, lower=1 / 8, upper=1 / 3: x >= 0,
        slopes=lambda lower=1 / 8, upper=1 / 3: (1.0, _rrelu_slope(lower, upper)), native_exact=True)
def _rrelu(x, lower=1 / 8, upper=1 / 3):
    """Evaluation mode (the mean slope: F.rrelu's eval mode, written as the leaky_relu it is, which vmap supports);
    training mode draws slopes in :mod:`actlab.torch.functional`."""
    return torch.where(x >= 0, x, x * _rrelu_slope(lower, upper))


def _elu_like(x, alpha, scale=1.0):
    neg = torch.clamp(x, max=0.0)  # expm1 only sees x <= 0: nothing overflows in the unused branch
    return torch.where(x > 0, x * scale, torch.expm1(neg) * (alpha * scale))


@kernel("elu", derivative=lambda x, alpha=1.0: torch.where(_isnan(x), x, torch.where(
            x > 0, 1.0, torch.exp(torch.clamp(x, max=0.0)) * alpha)),
        native=lambda x, alpha=1.0, inplace=False: F.elu(x, alpha, inplace), inplace=True)
def _elu(x, alpha=1.0):
    return _elu_like(x, alpha)


SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


@kernel("selu", derivative=lambda x: torch.where(_isnan(x), x, torch.where(
            x > 0, SELU_SCALE, torch.exp(torch.clamp(x, max=0.0)) * (SELU_ALPHA * SELU_SCALE))),
        native=lambda x, inplace=False: F.selu(x, inplace), inplace=True)
def _selu(x):
    return _elu_like(x, SELU_ALPHA, SELU_SCALE)


@kernel("celu", derivative=lambda x, alpha=1.0: torch.where(_isnan(x), x, torch.where(
            x > 0, 1.0, torch.exp(torch.clamp(x, max=0.0) / alpha))),
        native=lambda x, alpha=1.0, inplace=False: F.celu(x, alpha, inplace), inplace=True)
def _celu(x, alpha=1.0):
    neg = torch.clamp(x, max=0.0)
    return torch.where(x > 0, x, torch.expm1(neg / alpha) * alpha)


# --- smooth rectifiers --------------------------------------------------------------------------------------------
def _softplus_deriv(x, beta=1.0, threshold=None):
    d = sigmoid(x * beta)
    return d if threshold is None else torch.where(x * beta > threshold, 1.0, d)


def _softplus_native(x, beta=1.0, threshold=None):
    return F.softplus(x, beta, math.inf if threshold is None else threshold)


@kernel("softplus", derivative=_softplus_deriv, native=_softplus_native)
def _softplus(x, beta=1.0, threshold=None):
    y = softplus(x * beta) / beta
    return y if threshold is None else torch.where(x * beta > threshold, x, y)


@kernel("log_sigmoid", derivative=lambda x: sigmoid(-x), native=F.logsigmoid)
def _log_sigmoid(x):
    return -softplus(-x)


def _swish_deriv(x, beta=1.0):
    s = sigmoid(x * beta)
    return limits(x, s + (x * beta) * dsigmoid(x * beta), 0.0, 1.0)


@kernel("swish", derivative=_swish_deriv)
def _swish(x, beta=1.0):
    return limits(x, x * sigmoid(x * beta), 0.0, math.inf)


@kernel("silu", derivative=lambda x: _swish_deriv(x), native=lambda x, inplace=False: F.silu(x, inplace),
        inplace=True)
def _silu(x):
    return _swish(x)


# torch has no fused quick_gelu: its "native" is a 3-op composition; exact (one compiled loop in float64) measured
# slower than it (docs/torch.md), so native stays the default.
@kernel("quick_gelu", derivative=lambda x: _swish_deriv(x, 1.702), native=lambda x: x * torch.sigmoid(1.702 * x))
def _quick_gelu(x):
    return _swish(x, 1.702)


_SQRT_HALF = math.sqrt(0.5)
_INV_SQRT_2PI = 1.0 / math.sqrt(2.0 * math.pi)


def _gelu_deriv(x):
    cdf = 0.5 * torch.erfc(-x * _SQRT_HALF)  # erfc: no cancellation in 1 + erf(x) for x << 0
    return limits(x, cdf + x * torch.exp(-0.5 * x * x) * _INV_SQRT_2PI, 0.0, 1.0)


@kernel("gelu", derivative=_gelu_deriv, native=lambda x: F.gelu(x))
def _gelu(x):
    return limits(x, 0.5 * x * torch.erfc(-x * _SQRT_HALF), 0.0, math.inf)


_GELU_K = math.sqrt(2.0 / math.pi)
_GELU_C = 0.044715


def _gelu_tanh_deriv(x):
    # 0.5 * (1 + tanh(u)) = sigmoid(2u): the left tail without cancellation.
    u2 = 2.0 * _GELU_K * (x + _GELU_C * x * x * x)
    du2 = 2.0 * _GELU_K * (1.0 + 3.0 * _GELU_C * x * x)
    d = sigmoid(u2) + x * dsigmoid(u2) * du2
    return torch.where(_isnan(d) & ~_isnan(x), torch.where(x > 0, _scalar(x, 1.0), _scalar(x, 0.0)), d)


@kernel("gelu_tanh", derivative=_gelu_tanh_deriv, native=lambda x: F.gelu(x, approximate="tanh"))
def _gelu_tanh(x):
    u2 = 2.0 * _GELU_K * (x + _GELU_C * x * x * x)
    return limits(x, x * sigmoid(u2), 0.0, math.inf)


def _tanh_softplus(x):
    return torch.tanh(softplus(x))


def _mish_deriv(x):
    sp = softplus(x)
    sech2 = 1.0 / torch.cosh(sp) ** 2  # 1 - tanh^2 without cancellation for large x
    return limits(x, torch.tanh(sp) + x * sigmoid(x) * sech2, 0.0, 1.0)


@kernel("mish", derivative=_mish_deriv, native=lambda x, inplace=False: F.mish(x, inplace), inplace=True)
def _mish(x):
    return limits(x, x * _tanh_softplus(x), 0.0, math.inf)


@kernel("hard_sigmoid", derivative=lambda x: _step((x > -3) & (x < 3), x) / 6.0,
        native=lambda x, inplace=False: F.hardsigmoid(x, inplace), inplace=True,
        mask=lambda x: (x > -3) & (x < 3), slopes=lambda: (1.0 / 6.0, 0.0))
def _hard_sigmoid(x):
    return torch.clamp(x + 3.0, 0.0, 6.0) / 6.0


@kernel("hard_sigmoid_keras2", derivative=lambda x: _step((x > -2.5) & (x < 2.5), x) * 0.2,
        mask=lambda x: (x > -2.5) & (x < 2.5), slopes=lambda: (0.2, 0.0))
def _hard_sigmoid_keras2(x):
    return torch.clamp(x / 5.0 + 0.5, 0.0, 1.0)


def _hard_swish_deriv(x):
    inner = (2.0 * x + 3.0) / 6.0
    return torch.where(x < -3, 0.0, torch.where(x > 3, 1.0, inner))


@kernel("hard_swish", derivative=_hard_swish_deriv, native=lambda x, inplace=False: F.hardswish(x, inplace),
        inplace=True)
def _hard_swish(x):
    return limits(x, x * torch.clamp(x + 3.0, 0.0, 6.0) / 6.0, 0.0, math.inf)


def _nan_like(x: Tensor, d: Tensor) -> Tensor:
    return torch.where(_isnan(x), x, d)


def _hard_mish_deriv(x):
    return _nan_like(x, torch.where(x < -2, 0.0, torch.where(x > 0, 1.0, x + 1.0)))


@kernel("hard_mish", derivative=_hard_mish_deriv)  # exact measured slower than the fused float32 Function
def _hard_mish(x):
    return limits(x, 0.5 * x * torch.clamp(x + 2.0, 0.0, 2.0), 0.0, math.inf)


# --- sigmoid-like -------------------------------------------------------------------------------------------------
# F.softsign is x / (1 + |x|) composed in Python (saves 12 B/element); exact (one compiled loop) measured faster.
@kernel("softsign", derivative=lambda x: 1.0 / (1.0 + torch.abs(x)) ** 2, native=F.softsign, exact_default=True)
def _softsign(x):
    return limits(x, x / (1.0 + torch.abs(x)), -1.0, 1.0)


# atan(w) = w + w^3 Q(w^2) for |w| <= tan(pi/8): relative error 2^-45 (a minimax fit weighted for the relative error
# of atan, Lawson's reweighted least squares on 600 Chebyshev nodes against mpmath).
_ATAN_Q = (-0.3333333333166376, 0.19999999680652197, -0.1428569334624672, 0.11110444033664212, -0.09079061845336764,
           0.07568009974989298, -0.05889136901101535, 0.030866493320253905)
_TAN_PI8, _TAN_3PI8 = math.tan(math.pi / 8), math.tan(3 * math.pi / 8)


def _arctan_narrow(x):
    """atan of float32 (or narrower) numbers to 2^-45, in float64, from +, *, / only: t = |x| is brought to
    |w| <= tan(pi/8) by atan(t) = pi/4 + atan((t-1)/(t+1)) (t - 1 and t + 1 are exact for a float32 t) or
    pi/2 + atan(-1/t), with one division. torch.atan runs VML's or Sleef's float64 arctan: 1.6-1.9x this loop."""
    xd = x.to(torch.float64)
    t = torch.abs(xd)
    far, mid = t > _TAN_3PI8, t > _TAN_PI8
    one = _scalar(xd, 1.0)
    w = torch.where(far, -one, torch.where(mid, t - 1.0, t)) / torch.where(far, t, torch.where(mid, t + 1.0, one))
    base = torch.where(far, _scalar(xd, math.pi / 2), torch.where(mid, _scalar(xd, math.pi / 4), _scalar(xd, 0.0)))
    s = w * w
    q = s * _ATAN_Q[-1] + _ATAN_Q[-2]
    for c in reversed(_ATAN_Q[:-2]):
        q = q * s + c
    return torch.copysign(base + (w + w * s * q), xd).to(x.dtype)  # atan(+-inf) = +-pi/2 (w = -0); NaN stays


# The default is torch.atan itself, the naive composition: the polynomial loop beat it 1.3-2.4x on an AMD EPYC and
# lost 2.5x to its Sleef AVX-512 kernel on an Intel Xeon (docs/torch.md), so no default but torch's own is never
# slower. exact=True runs the loop: atan rounded once, on every machine.
@kernel("arctan", derivative=lambda x: 1.0 / (1.0 + x * x), native=lambda x: torch.atan(x), direct_forward=True,
        forward_narrow=_arctan_narrow)
def _arctan(x):
    return torch.atan(x)


def _isru_h(x, alpha):
    return torch.hypot(torch.ones_like(x), x * math.sqrt(alpha) if not torch.is_tensor(alpha) else x * alpha.sqrt())


@kernel("isru", derivative=lambda x, alpha=1.0: _isru_h(x, alpha) ** -3.0)
def _isru(x, alpha=1.0):
    lim = 1.0 / math.sqrt(alpha) if not torch.is_tensor(alpha) else float(1.0 / alpha.sqrt())
    return limits(x, x / _isru_h(x, alpha), -lim, lim)


@kernel("sqnl", derivative=lambda x: _nan_like(x, torch.where(torch.abs(x) > 2, 0.0, 1.0 - 0.5 * torch.abs(x))))
def _sqnl(x):
    c = torch.clamp(x, -2.0, 2.0)
    return c - c * torch.abs(c) / 4.0


@kernel("elliott", derivative=lambda x: 0.5 / (1.0 + torch.abs(x)) ** 2)
def _elliott(x):
    # 1/2 + x/(2(1+|x|)) cancels for x << 0, where it equals 1/(2(1-x)).
    return limits(x, torch.where(x < 0, 0.5 / (1.0 - x), 0.5 + 0.5 * (x / (1.0 + x))), 0.0, 1.0)


# --- shrinkage ----------------------------------------------------------------------------------------------------
@kernel("tanhshrink", derivative=lambda x: torch.tanh(x) ** 2, native=F.tanhshrink)
def _tanhshrink(x):
    # x - tanh(x) cancels near 0: the series x^3/3 - 2x^5/15 + 17x^7/315 - 62x^9/2835 + 1382x^11/155925 there.
    x2 = x * x
    series = x * x2 * (1 / 3 + x2 * (-2 / 15 + x2 * (17 / 315 + x2 * (-62 / 2835 + x2 * (1382 / 155925)))))
    return torch.where(torch.abs(x) < 0.05, series, x - torch.tanh(x))


@kernel("soft_shrink", derivative=lambda x, lambd=0.5: _step(torch.abs(x) > lambd, x),
        native=lambda x, lambd=0.5: F.softshrink(x, lambd), mask=lambda x, lambd=0.5: torch.abs(x) > lambd,
        slopes=lambda lambd=0.5: (1.0, 0.0), native_exact=True)
def _soft_shrink(x, lambd=0.5):
    return torch.where(x > lambd, x - lambd, torch.where(x < -lambd, x + lambd, x * 0.0))


@kernel("hard_shrink", derivative=lambda x, lambd=0.5: _step(torch.abs(x) > lambd, x),
        native=lambda x, lambd=0.5: F.hardshrink(x, lambd), mask=lambda x, lambd=0.5: torch.abs(x) > lambd,
        slopes=lambda lambd=0.5: (1.0, 0.0), native_exact=True)
def _hard_shrink(x, lambd=0.5):
    return torch.where(torch.abs(x) > lambd, x, x * 0.0)


# --- others -------------------------------------------------------------------------------------------------------
def _squareplus_deriv(x, b=4.0):
    h = torch.hypot(x, _scalar(x, math.sqrt(b)))
    neg = 0.5 * b / (h * (h - x))  # 1 + x/h cancels for x << 0
    return limits(x, torch.where(x < 0, neg, 0.5 * (1.0 + x / h)), 0.0, 1.0)


@kernel("squareplus", derivative=_squareplus_deriv)
def _squareplus(x, b=4.0):
    h = torch.hypot(x, _scalar(x, math.sqrt(b)))
    return limits(x, torch.where(x < 0, 0.5 * b / (h - x), 0.5 * (x + h)), 0.0, math.inf)


@kernel("sparse_plus", derivative=lambda x: _nan_like(x, torch.where(x <= -1, 0.0, torch.where(x >= 1, 1.0,
                                                                                            0.5 * (x + 1.0)))), exact_default=True)
def _sparse_plus(x):
    return torch.where(x <= -1, 0.0, torch.where(x >= 1, x, 0.25 * (x + 1.0) ** 2))


@kernel("sparse_sigmoid", derivative=lambda x: _step((x > -1) & (x < 1), x) * 0.5,
        mask=lambda x: (x > -1) & (x < 1), slopes=lambda: (0.5, 0.0))
def _sparse_sigmoid(x):
    return 0.5 * torch.clamp(x + 1.0, 0.0, 2.0)


@kernel("exponential", derivative=torch.exp, native=torch.exp, native_exact=True)
def _exponential(x):
    return torch.exp(x)


def _bent_deriv(x):
    return limits(x, 1.0 + 0.5 * x / torch.hypot(x, torch.ones_like(x)), 0.5, 1.5)


@kernel("bent_identity", derivative=_bent_deriv)
def _bent_identity(x):
    h = torch.hypot(x, torch.ones_like(x))
    return limits(x, x + 0.5 * x * (x / (h + 1.0)), -math.inf, math.inf)  # sqrt(x^2+1)-1 = x^2/(h+1): no cancellation


_PI4_HI, _PI4_LO = 0.7853981633974483, 3.061616997868383e-17  # pi/4 as a sum of two doubles


def _snake_deriv(x, alpha=1.0):
    # 1 + sin(2 alpha x) = 2 sin^2(alpha x + pi/4): no cancellation near its double roots
    ax = alpha * x
    # t + e = ax + pi/4 exactly (two-sum): far out, the rounding of ax + pi/4 would shift the phase near a root.
    t = ax + _PI4_HI
    b = t - ax
    e = ((ax - (t - b)) + (_PI4_HI - b)) + _PI4_LO
    s = torch.sin(t) * torch.cos(e) + torch.cos(t) * torch.sin(e)  # e is all of pi/4 once ulp(ax) > pi/4
    return 2.0 * (s * s)


@kernel("snake", derivative=_snake_deriv)
def _snake(x, alpha=1.0):
    return limits(x, x + torch.sin(alpha * x) ** 2 / alpha, -math.inf, math.inf)


@kernel("gaussian", derivative=lambda x: limits(x, -2.0 * x * torch.exp(-x * x), 0.0, 0.0))
def _gaussian(x):
    return torch.exp(-x * x)


@kernel("sinusoid", derivative=lambda x, w0=1.0: w0 * torch.cos(w0 * x))
def _sinusoid(x, w0=1.0):
    return torch.sin(w0 * x)


# --- vector, gated, expanding and pooling kinds -------------------------------------------------------------------
@kernel("softmax", native=lambda x, dim=-1: F.softmax(x, dim))
def _softmax(x, dim=-1):
    return torch.softmax(x, dim)


@kernel("log_softmax", native=lambda x, dim=-1: F.log_softmax(x, dim))
def _log_softmax(x, dim=-1):
    return torch.log_softmax(x, dim)


@kernel("softmin", native=lambda x, dim=-1: F.softmin(x, dim))
def _softmin(x, dim=-1):
    return torch.softmax(-x, dim)


def halves(x: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    """The two halves of x along dim (gated kinds), or a ValueError naming the odd size."""
    if x.shape[dim] % 2:
        raise ValueError(f"gated activations split their input in two halves along dim {dim}; "
                         f"got size {x.shape[dim]}, which is odd")
    return x.chunk(2, dim)


@kernel("glu", native=lambda x, dim=-1: F.glu(x, dim), gate=("sigmoid", 1))
def _glu(x, dim=-1):
    a, b = halves(x, dim)
    return a * torch.sigmoid(b)


@kernel("swiglu", gate=("silu", 0))
def _swiglu(x, dim=-1):
    a, b = halves(x, dim)
    return F.silu(a) * b  # the first half is activated (Shazeer 2020), as the catalog defines it


def _gelu_erf_deriv(x):
    """torch's GELU backward formula (erf-based: loses the far left tail, as F.gelu does; exact mode uses erfc)."""
    return 0.5 * (1.0 + torch.erf(x * _SQRT_HALF)) + x * torch.exp(-0.5 * x * x) * _INV_SQRT_2PI


@kernel("geglu", gate=("gelu", 0), gate_fast=(F.gelu, _gelu_erf_deriv))
def _geglu(x, dim=-1):
    a, b = halves(x, dim)
    return F.gelu(a) * b


@kernel("reglu", gate=("relu", 0))
def _reglu(x, dim=-1):
    a, b = halves(x, dim)
    return torch.relu(a) * b


@kernel("crelu")
def _crelu(x, dim=-1):
    return torch.cat([torch.relu(x), torch.relu(-x)], dim)


@kernel("maxout")
def _maxout(x, k=2, dim=-1):
    k = int(k)
    if x.shape[dim] % k:
        raise ValueError(f"maxout takes the max over groups of k={k} along dim {dim % x.ndim}; got size "
                         f"{x.shape[dim]}, not a multiple of {k}")
    # -1 and a negative dim kept negative, not sizes and positions: a traced graph stays shape-generic
    return x.unflatten(dim, (-1, k)).amax(dim if dim < 0 else dim + 1)


class _Sparsemax(torch.autograd.Function):
    """Martins & Astudillo 2016: the Euclidean projection onto the simplex; backward is g - mean of g on the support
    (the Jacobian is symmetric: the jvp is the same map of the tangent). setup_context/jvp/vmap: torch.func works."""

    @staticmethod
    def forward(x, dim):
        z = x.movedim(dim, -1)
        zs, _ = torch.sort(z, dim=-1, descending=True)
        k = torch.ones_like(zs).cumsum(-1)  # 1, 2, ..., n without reading n: a traced graph stays shape-generic
        cum = zs.cumsum(-1)
        support = 1 + k * zs > cum
        kz = support.sum(-1, keepdim=True).clamp(min=1)  # clamp: an empty slice has no support
        tau = (cum.gather(-1, kz - 1) - 1) / kz.to(z.dtype)
        return torch.clamp(z - tau, min=0).movedim(-1, dim)

    @staticmethod
    def setup_context(ctx, inputs, y):
        ctx.save_for_backward(y)
        ctx.save_for_forward(y)
        ctx.dim = inputs[1]

    @staticmethod
    def backward(ctx, g):
        return _Sparsemax.jvp(ctx, g), None

    @staticmethod
    def jvp(ctx, g, *_):
        (y,) = ctx.saved_tensors
        on = (y > 0).to(g.dtype)
        mean = (g * on).sum(ctx.dim, keepdim=True) / on.sum(ctx.dim, keepdim=True)
        return on * (g - mean)

    @staticmethod
    def vmap(info, in_dims, x, dim):
        if in_dims[0] is None:
            return _Sparsemax.apply(x, dim), None
        return _Sparsemax.apply(x.movedim(in_dims[0], 0), dim if dim < 0 else dim + 1), 0


# Dynamo refuses a Function that defines jvp: torch.compile gets the same Function without it.
_SparsemaxTraced = type("_SparsemaxTraced", (_Sparsemax,), {"jvp": staticmethod(torch.autograd.Function.jvp)})


@kernel("sparsemax")
def _sparsemax(x, dim=-1):
    if torch.jit.is_tracing():  # TorchScript and the legacy ONNX exporter: plain ops, not a Python Function
        return _Sparsemax.forward(x, dim)
    return (_SparsemaxTraced if torch.compiler.is_compiling() else _Sparsemax).apply(x, dim)
