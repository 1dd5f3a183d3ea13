"""Smooth rectifiers: softplus, log-sigmoid, softsign, SiLU/Swish, QuickGELU, GELU (erf and tanh forms), Mish,
squareplus."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


_EXACT_THRESHOLD = 36.0  # above, x is the correctly rounded softplus: the switch is invisible


_SILU_MIN = -0.27846454276107380  # the minimum of x*sigmoid(x), at x = -1.27846


def _self_gated(minimum):
    """x times a smooth gate that rises from 0 to 1 (SiLU, GELU, Mish): one minimum, unbounded above, saturating on
    the left, no exact zeros but x = 0."""
    return Properties(range=(minimum, math.inf), monotonic=False, zero_centered=False, smooth=math.inf,
                      saturates="left", sparse=False)


def _softplus_properties(p):
    # PyTorch's switch to x at beta*x = threshold drops the value by log1p(exp(-threshold))/beta: a (tiny) downward
    # jump, so below _EXACT_THRESHOLD the function is neither continuous nor monotonic.
    exact = p["threshold"] >= _EXACT_THRESHOLD
    return Properties(range=(0.0, math.inf), monotonic=exact, zero_centered=False, smooth=math.inf if exact else -1,
                      saturates="left", sparse=False)


SOFTPLUS = Activation(
    name="softplus",
    formula="Piecewise((x, beta*x > threshold), (log(1 + exp(beta*x))/beta, True))",
    aliases=("smooth_relu",),
    summary="log(1 + e^(beta x))/beta: a smooth ReLU whose derivative is the sigmoid.",
    params=(Param("beta", 1.0, 0.0, low_open=True, doc="sharpness; softplus -> relu as beta -> inf"),
            Param("threshold", 40.0, 0.0, doc="above beta*x = threshold return x (PyTorch's shortcut)")),
    kinks=lambda p: (p["threshold"] / p["beta"],) if p["threshold"] < _EXACT_THRESHOLD else (),
    properties=_softplus_properties,
    notes="Computed as max(u, 0) + log1p(exp(-|u|)), u = beta*x: never overflows (the textbook log(1 + exp(x)) "
          "is inf above 709). PyTorch returns x where beta*x > threshold, default 20; in float64 that is off by "
          "up to 2e-9 (6e5 ULP) between 20 and 36. Our default threshold 40 is past the point where x is already "
          "the correctly rounded value, so the default is exact; pass threshold=20 to reproduce PyTorch bit for "
          "bit (identical in float32 either way).",
    frameworks={"torch": "F.softplus", "torch_args": "beta=beta, threshold=threshold", "keras": "softplus",
                "jax": "nn.softplus"},
    reference="Dugas et al. 2001, Incorporating Second-Order Functional Knowledge; Glorot et al. 2011",
)


LOG_SIGMOID = Activation(
    name="log_sigmoid",
    formula="-softplus(-x)",
    aliases=("logsigmoid",),
    summary="log(sigmoid(x)) = -softplus(-x): the stable log-probability of a logistic output.",
    properties=Properties(range=(-math.inf, 0.0), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="right", sparse=False),
    notes="min(x, 0) - log1p(exp(-|x|)); log(1/(1 + exp(-x))) overflows below x = -709.",
    frameworks={"torch": "F.logsigmoid", "keras": "log_sigmoid", "jax": "nn.log_sigmoid"},
    reference="(textbook); jax.nn.log_sigmoid",
)


SOFTSIGN = Activation(
    name="softsign",
    formula="x/(1 + Abs(x))",
    aliases=("soft_sign",),
    summary="x/(1 + |x|): a sigmoid-shaped squashing to (-1, 1) with polynomial, not exponential, tails.",
    kinks=(0.0,),
    properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=1, saturates="both",
                          sparse=False),
    notes="softsign(+-inf) = +-1 (PyTorch returns NaN). C^1: the second derivative jumps at 0.",
    frameworks={"torch": "F.softsign", "keras": "softsign", "jax": "nn.soft_sign"},
    reference="Bergstra et al. 2009; Glorot & Bengio 2010",
)


SILU = Activation(
    name="silu",
    formula="x*sigmoid(x)",
    aliases=("swish1", "swish_1", "sigmoid_linear_unit"),
    summary="x * sigmoid(x): the sigmoid-weighted linear unit (Swish with beta = 1); smooth, non-monotonic.",
    properties=_self_gated(_SILU_MIN),
    notes="silu(-inf) = 0 and silu(x) stays exact (subnormal) down to x = -745, where PyTorch returns 0 below "
          "x = -88.7 in float32 and NaN at -inf. Minimum -0.27846 at x = -1.27846.",
    frameworks={"torch": "F.silu", "keras": "silu", "jax": "nn.silu"},
    reference="Hendrycks & Gimpel 2016 (SiLU), arXiv:1606.08415; Elfwing et al. 2017; Ramachandran et al. 2017",
)


def _swish_properties(p):
    beta = p["beta"]
    if beta > 0:
        return _self_gated(_SILU_MIN / beta)
    return Properties(range=(-math.inf, math.inf), monotonic=beta == 0, zero_centered=False, smooth=math.inf,
                      saturates="none", sparse=False)  # beta = 0: x/2


SWISH = Activation(
    name="swish",
    formula="x*sigmoid(beta*x)",
    summary="x * sigmoid(beta x): SiLU with a (possibly learned) sharpness beta; beta -> inf gives ReLU.",
    params=(Param("beta", 1.0, 0.0, 1e100, learnable=True, doc="sharpness; 1 is SiLU, 0 is x/2"),),
    properties=_swish_properties,
    notes="swish'(x) = silu'(beta x). With beta = 1 this is silu (one definition: silu is this code).",
    frameworks={"keras": "swish", "jax": "nn.swish"},
    reference="Ramachandran, Zoph & Le 2017, Searching for Activation Functions, arXiv:1710.05941",
)


QUICK_GELU = Activation(
    name="quick_gelu",
    formula="x*sigmoid(851*x/500)",
    aliases=("quickgelu",),
    summary="x * sigmoid(1.702 x): the sigmoid approximation of GELU used by CLIP.",
    properties=_self_gated(_SILU_MIN / 1.702),
    notes="swish with beta = 1.702 (Hendrycks & Gimpel's sigmoid approximation of GELU).",
    frameworks={},
    reference="Hendrycks & Gimpel 2016, arXiv:1606.08415; Radford et al. 2021 (CLIP)",
)


GELU = Activation(
    name="gelu",
    formula="x/2*(1 + erf(x/sqrt(2)))",
    aliases=("gelu_erf", "gaussian_error_linear_unit"),
    summary="x * Phi(x), Phi the standard normal CDF: weights inputs by how likely they are to be kept.",
    properties=_self_gated(-0.16997120747990366),
    notes="The exact erf form (PyTorch approximate='none', jax approximate=False). Phi(-|x|) is computed as "
          "M(|x|) exp(-x^2/2), M a fitted Mills ratio and x^2 exact, so the left tail is exact down to the "
          "subnormal range: 0.5x(1 + erf(x/sqrt2)) cancels and is -0 below x = -5.4 in float32 (PyTorch), and "
          "scipy's erfc/ndtr lose up to 1600 ULP. gelu'(x) = Phi(x) + x phi(x). Minimum -0.16997 at x = -0.75179.",
    frameworks={"torch": "F.gelu", "keras": "gelu", "jax": "nn.gelu", "jax_args": "approximate=False"},
    reference="Hendrycks & Gimpel 2016, Gaussian Error Linear Units, arXiv:1606.08415",
)


GELU_TANH = Activation(
    name="gelu_tanh",
    formula="x/2*(1 + tanh(sqrt(2/pi)*(x + 44715*x**3/1000000)))",
    aliases=("gelu_approx", "gelu_new", "gelu_pytorch_tanh", "approximate_gelu"),
    summary="0.5x(1 + tanh(sqrt(2/pi)(x + 0.044715x^3))): the tanh approximation of GELU (BERT, GPT-2).",
    properties=_self_gated(-0.17004075057125405),
    notes="Computed as x*sigmoid(2z) (1 + tanh z = 2 sigmoid(2z)), which has no cancellation for x < 0. "
          "Differs from the exact GELU by at most 4.7e-4. jax.nn.gelu defaults to this approximation "
          "(approximate=True); PyTorch, keras 3 and actlab's 'gelu' default to the exact erf form.",
    frameworks={"torch": "F.gelu", "torch_args": "approximate='tanh'", "keras": "gelu",
                "keras_args": "approximate=True", "jax": "nn.gelu", "jax_args": "approximate=True"},
    reference="Hendrycks & Gimpel 2016, arXiv:1606.08415",
)


MISH = Activation(
    name="mish",
    formula="x*tanh(softplus(x))",
    summary="x * tanh(softplus(x)): smooth, non-monotonic, unbounded above; a self-regularised SiLU cousin.",
    properties=_self_gated(-0.30884341301725041),
    notes="tanh(softplus(x)) = p/(p + 2), p = e^x(e^x + 2), evaluated from exp(-|x|): no overflow, mish(-inf) = 0 "
          "(PyTorch: NaN) and exact down to the subnormal range (PyTorch float32 is off by 137 ULP).",
    frameworks={"torch": "F.mish", "keras": "mish", "jax": "nn.mish"},
    reference="Misra 2019, Mish: A Self Regularized Non-Monotonic Activation Function, arXiv:1908.08681",
)


SQUAREPLUS = Activation(
    name="squareplus",
    formula="(x + sqrt(x**2 + b))/2",
    summary="(x + sqrt(x^2 + b))/2: an algebraic softplus, no exp or log.",
    params=(Param("b", 4.0, 0.0, 1e100, low_open=True, doc="curvature at 0; b -> 0 gives ReLU"),),
    properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="left", sparse=False),
    notes="For x < 0 the textbook form cancels (and is 0 below x = -1e8); we use b/(2(sqrt(x^2 + b) - x)). "
          "jax's default b = 4.",
    frameworks={"jax": "nn.squareplus"},
    reference="Barron 2021, Squareplus: A Softplus-Like Algebraic Rectifier, arXiv:2112.11687",
)
