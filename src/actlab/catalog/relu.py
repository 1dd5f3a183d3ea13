"""The ReLU family: ReLU, Leaky ReLU, PReLU, ReLU6, capped ReLU, RReLU, threshold, and CReLU (two-sided)."""

from __future__ import annotations

import math

import numpy as np

from actlab.catalog import _math as m
from actlab.errors import ParameterError
from actlab.registry import register
from actlab.spec import EXPANDING, Activation, Param, Properties


def _relu(x):
    return np.maximum(x, 0.0)  # np.maximum propagates NaN


def _relu_derivative(x):
    return m.step(x)  # 0 for x <= 0 (relu'(0) = 0), 1 for x > 0, NaN for NaN


def _relu32(x):
    return np.maximum(x, np.float32(0))


def _relu_derivative32(x):
    return m.step32(x)


RELU = register(
    Activation(
        name="relu",
        aliases=("rectifier", "rectified_linear"),
        summary="max(0, x): cheap, sparse, no saturation for x > 0; units can die.",
        forward=_relu,
        derivative=_relu_derivative,
        forward32=_relu32,
        derivative32=_relu_derivative32,
        derivative_from_output=_relu_derivative,
        formula="Max(0, x)",
        kinks=(0.0,),
        properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=0,
                              saturates="left", sparse=True),
        notes="relu'(0) = 0, as in JAX and PyTorch. AlexNet's 'six times faster' (seed 001) is training convergence "
              "on CIFAR-10, not the cost per element.",
        frameworks={"torch": "F.relu", "keras": "relu", "jax": "nn.relu"},
        reference="Nair & Hinton 2010; Glorot, Bordes & Bengio 2011",
    )
)


def _slope_times(x, a):
    """a*x for the negative part: 0*(-inf) is 0 here (the limit), and |a| > 1 may overflow to inf (as it should)."""
    if np.ndim(a) == 0 and a == 0:
        return m.keep_nan(np.zeros_like(x), x)
    with np.errstate(over="ignore", invalid="ignore"):
        y = a * x
    if np.ndim(a) != 0:  # rrelu's per-element slopes: 0 * -inf -> 0
        y = m.select((a == 0) & ~np.isnan(x), 0.0, y)
    return y


@m.blockwise
def _leaky(x, alpha):
    return m.select(x > 0, x, _slope_times(x, alpha))  # alpha*NaN = NaN


@m.blockwise
def _leaky_derivative(x, alpha):
    return m.select(x <= 0, alpha, m.step(x))  # NaN <= 0 is False, heaviside(NaN) = NaN


@m.float32_kernel(when=lambda alpha: alpha != 0)  # alpha = 0 is relu: 0 * -inf below
def _leaky32(x, alpha):
    # max(x, 0) + alpha min(x, 0): one of the terms is 0, so the sum is alpha*x rounded once, or x
    y = np.minimum(x, 0.0)
    y *= alpha
    y += np.maximum(x, 0.0, out=x)
    return y


def _leaky_derivative32(x, alpha):
    with np.errstate(over="ignore"):
        a = np.float32(alpha)
    if not np.isfinite(a):  # 0 * inf would make NaN
        return None
    s = m.step32(x)  # 1, 0 or NaN; s + alpha (1 - s) is 1 or alpha exactly
    y = np.subtract(np.float32(1), s)
    y *= a
    y += s
    return y


def _leaky_properties(p):
    a = p["alpha"]
    return Properties(range=(-math.inf if a > 0 else 0.0, math.inf), monotonic=a >= 0, zero_centered=False,
                      smooth=0 if a != 1 else math.inf, saturates="none" if a != 0 else "left", sparse=a == 0)


LEAKY_RELU = register(
    Activation(
        name="leaky_relu",
        aliases=("lrelu", "leakyrelu"),
        summary="max(alpha*x, x) for 0 <= alpha < 1: a small slope for x < 0 keeps units alive.",
        forward=_leaky,
        derivative=_leaky_derivative,
        forward32=_leaky32,
        derivative32=_leaky_derivative32,
        formula="Piecewise((alpha*x, x <= 0), (x, True))",
        params=(Param("alpha", 0.01, 0.0, 1.0, high_open=True, doc="slope for x < 0 (torch: negative_slope)"),),
        kinks=(0.0,),
        properties=_leaky_properties,
        notes="max(alpha*x, x), switching at 0 (seed 003 writes max(-ax, x) and switches at 1: both wrong). "
              "leaky_relu'(0) = alpha, as PyTorch. keras 3 and jax default to alpha = 0.2 and 0.01; we use "
              "PyTorch's 0.01.",
        frameworks={"torch": "F.leaky_relu", "torch_args": "negative_slope=alpha", "keras": "leaky_relu",
                    "jax": "nn.leaky_relu"},
        reference="Maas, Hannun & Ng 2013",
    )
)

PRELU = register(
    Activation(
        name="prelu",
        aliases=("parametric_relu",),
        summary="Leaky ReLU whose negative slope alpha is learned (one per channel in a layer); init 0.25.",
        forward=_leaky,
        derivative=_leaky_derivative,
        forward32=_leaky32,
        derivative32=_leaky_derivative32,
        formula="Piecewise((alpha*x, x <= 0), (x, True))",
        params=(Param("alpha", 0.25, learnable=True, doc="learned slope for x < 0 (initial value)"),),
        kinks=(0.0,),
        properties=_leaky_properties,
        notes="As a pure function PReLU is leaky_relu with slope alpha (any real: learning may push it below 0 or "
              "above 1). The layer learns alpha: d f/d alpha = min(x, 0). prelu'(0) = alpha.",
        frameworks={"torch": "F.prelu", "torch_args": "weight=alpha", "keras": "layers.PReLU"},
        reference="He et al. 2015, Delving Deep into Rectifiers, arXiv:1502.01852",
    )
)


def _capped(x, cap):
    return np.minimum(np.maximum(x, 0.0), cap)


def _capped_derivative(x, cap):
    # 1 on the open interval (0, cap), 0 outside and at both kinks (PyTorch's hardtanh backward).
    return m.select(x >= cap, 0.0, m.step(x))


def _capped32(x, cap):
    # clip commutes with rounding (both are monotonic): clip(x, 0, cap) rounded is clip(x, 0, float32(cap))
    with np.errstate(over="ignore"):
        return np.clip(x, np.float32(0), np.float32(cap))


def _capped_derivative32(x, cap):
    return m.inside32(x, 0.0, cap)


CAPPED_RELU = register(
    Activation(
        name="capped_relu",
        aliases=("clipped_relu", "bounded_relu", "relu_n"),
        summary="min(max(0, x), cap): ReLU clipped at cap; relu6 is cap = 6.",
        forward=_capped,
        derivative=_capped_derivative,
        forward32=_capped32,
        derivative32=_capped_derivative32,
        formula="Min(Max(0, x), cap)",
        params=(Param("cap", 6.0, 0.0, low_open=True, doc="the output ceiling"),),
        kinks=lambda p: (0.0, p["cap"]),
        properties=lambda p: Properties(range=(0.0, p["cap"]), monotonic=True, zero_centered=False, smooth=0,
                                        saturates="both", sparse=True),
        notes="derivative 0 at both kinks (x = 0 and x = cap), as PyTorch's hardtanh. keras: relu(x, max_value=cap).",
        frameworks={"torch": "F.hardtanh", "torch_args": "min_val=0, max_val=cap", "keras": "relu"},
        reference="Krizhevsky 2010, Convolutional Deep Belief Networks on CIFAR-10",
    )
)

RELU6 = register(
    Activation(
        name="relu6",
        aliases=("relu_6",),
        summary="min(max(0, x), 6): the capped ReLU of MobileNet; cheap in low precision.",
        forward=lambda x: _capped(x, 6.0),
        derivative=lambda x: _capped_derivative(x, 6.0),
        forward32=lambda x: _capped32(x, 6.0),
        derivative32=lambda x: _capped_derivative32(x, 6.0),
        formula="Min(Max(0, x), 6)",
        kinks=(0.0, 6.0),
        properties=Properties(range=(0.0, 6.0), monotonic=True, zero_centered=False, smooth=0, saturates="both",
                              sparse=True),
        notes="capped_relu with cap = 6; relu6'(0) = relu6'(6) = 0, as PyTorch.",
        frameworks={"torch": "F.relu6", "keras": "relu6", "jax": "nn.relu6"},
        reference="Krizhevsky 2010; Howard et al. 2017, MobileNets, arXiv:1704.04861",
    )
)


def _rrelu_slopes(x, lower, upper, training, rng):
    if lower > upper:
        raise ParameterError(f"rrelu needs lower <= upper. Got lower={lower!r}, upper={upper!r}.")
    if not training:
        return (lower + upper) / 2.0
    rng = np.random.default_rng(rng)
    return rng.uniform(lower, upper, size=np.shape(x))


def _rrelu(x, lower, upper, training=False, rng=None):
    return m.select(x > 0, x, _slope_times(x, _rrelu_slopes(x, lower, upper, training, rng)))


def _rrelu_derivative(x, lower, upper, training=False, rng=None):
    """With ``training=True`` pass the same ``rng`` seed as to the forward pass to get the same slopes."""
    a = _rrelu_slopes(x, lower, upper, training, rng)
    return m.select(x <= 0, a, m.step(x))


RRELU = register(
    Activation(
        name="rrelu",
        aliases=("randomized_relu", "randomized_leaky_relu"),
        summary="Leaky ReLU with a random slope ~ U(lower, upper) per element in training, the mean slope in eval.",
        forward=_rrelu,
        derivative=_rrelu_derivative,
        formula="Piecewise(((lower + upper)/2*x, x <= 0), (x, True))",
        params=(Param("lower", 1 / 8, 0.0, 1.0, doc="smallest slope for x < 0"),
                Param("upper", 1 / 3, 0.0, 1.0, doc="largest slope for x < 0")),
        kinks=(0.0,),
        properties=lambda p: _leaky_properties({"alpha": (p["lower"] + p["upper"]) / 2}),
        notes="forward(x, training=False, rng=None): eval mode uses the mean slope (lower + upper)/2 (the formula); "
              "training=True draws one slope per element from rng (a seed or numpy Generator). rrelu'(0) = slope.",
        frameworks={"torch": "F.rrelu", "torch_args": "lower=lower, upper=upper"},
        reference="Xu et al. 2015, Empirical Evaluation of Rectified Activations, arXiv:1505.00853",
        random=True,
    )
)


@m.blockwise
def _threshold(x, threshold, value):
    return m.select(x > threshold, x, m.select(np.isnan(x), x, value))


def _threshold_derivative(x, threshold, value):
    return m.step(x - threshold)


def _threshold_properties(p):
    t, v = p["threshold"], p["value"]
    return Properties(range=(min(t, v), math.inf), monotonic=v <= t, zero_centered=False,
                      smooth=0 if v == t else -1, saturates="left", sparse=v == 0)


THRESHOLD = register(
    Activation(
        name="threshold",
        aliases=("thresholded_relu",),
        summary="x where x > threshold, else a constant value (PyTorch's F.threshold).",
        forward=_threshold,
        derivative=_threshold_derivative,
        formula="Piecewise((value, x <= threshold), (x, True))",
        params=(Param("threshold", 0.0, doc="inputs at or below it are replaced"),
                Param("value", 0.0, doc="the replacement")),
        kinks=lambda p: (p["threshold"],),
        properties=_threshold_properties,
        notes="threshold(x) = x if x > threshold else value; derivative 1 above the threshold, 0 at and below it. "
              "PyTorch requires both arguments; our defaults (0, 0) make it ReLU. keras' ThresholdedReLU is "
              "value = 0.",
        frameworks={"torch": "F.threshold", "torch_args": "threshold=threshold, value=value"},
        reference="PyTorch torch.nn.Threshold; Konda et al. 2015 (thresholded ReLU)",
    )
)


def _crelu(x, axis=-1):
    return np.concatenate([np.maximum(x, 0.0), np.maximum(-x, 0.0)], axis=axis)


def _crelu_vjp(x, g, axis=-1):
    n = x.shape[axis]
    g_pos, g_neg = np.split(g, [n], axis=axis)
    return m.keep_nan(m.select(x > 0, g_pos, 0.0) - m.select(x < 0, g_neg, 0.0), x)


CRELU = register(
    Activation(
        name="crelu",
        aliases=("concatenated_relu",),
        kind=EXPANDING,
        summary="Concatenated ReLU [relu(x), relu(-x)] along an axis: keeps the negative phase; output twice as wide.",
        forward=_crelu,
        derivative=None,
        vjp=_crelu_vjp,
        formula="Max(0, x)",
        kinks=(0.0,),
        properties=Properties(range=(0.0, math.inf), monotonic=False, zero_centered=False, smooth=0,
                              saturates="none", sparse=True),
        notes="Shape (..., n, ...) -> (..., 2n, ...) along `axis` (default -1). The formula shows the first half; the "
              "second half is Max(0, -x). vjp(x, g): g is twice as wide; returns g_pos*[x > 0] - g_neg*[x < 0].",
        frameworks={"tensorflow": "tf.nn.crelu"},
        reference="Shang et al. 2016, Understanding and Improving CNNs via Concatenated ReLUs, arXiv:1603.05201",
    )
)
