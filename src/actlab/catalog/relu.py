"""The ReLU family: ReLU, Leaky ReLU, PReLU, ReLU6, capped ReLU, RReLU, threshold, and CReLU (two-sided)."""

from __future__ import annotations

import math

from actlab.core.spec import EXPANDING, Activation, Param, Properties


RELU = Activation(
    name="relu",
    formula="Max(0, x)",
    aliases=("rectifier", "rectified_linear"),
    summary="max(0, x): cheap, sparse, no saturation for x > 0; units can die.",
    kinks=(0.0,),
    properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=0,
                          saturates="left", sparse=True),
    notes="relu'(0) = 0, as in JAX and PyTorch. AlexNet's 'six times faster' (seed 001) is training convergence "
          "on CIFAR-10, not the cost per element.",
    frameworks={"torch": "F.relu", "keras": "relu", "jax": "nn.relu"},
    reference="Nair & Hinton 2010; Glorot, Bordes & Bengio 2011",
)


def _leaky_properties(p):
    a = p["alpha"]
    return Properties(range=(-math.inf if a > 0 else 0.0, math.inf), monotonic=a >= 0, zero_centered=False,
                      smooth=0 if a != 1 else math.inf, saturates="none" if a != 0 else "left", sparse=a == 0)


LEAKY_RELU = Activation(
    name="leaky_relu",
    formula="Piecewise((alpha*x, x <= 0), (x, True))",
    aliases=("lrelu", "leakyrelu"),
    summary="max(alpha*x, x) for 0 <= alpha < 1: a small slope for x < 0 keeps units alive.",
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


PRELU = Activation(
    name="prelu",
    formula="Piecewise((alpha*x, x <= 0), (x, True))",
    aliases=("parametric_relu",),
    summary="Leaky ReLU whose negative slope alpha is learned (one per channel in a layer); init 0.25.",
    params=(Param("alpha", 0.25, learnable=True, doc="learned slope for x < 0 (initial value)"),),
    kinks=(0.0,),
    properties=_leaky_properties,
    notes="As a pure function PReLU is leaky_relu with slope alpha (any real: learning may push it below 0 or "
          "above 1). The layer learns alpha: d f/d alpha = min(x, 0). prelu'(0) = alpha.",
    frameworks={"torch": "F.prelu", "torch_args": "weight=alpha", "keras": "layers.PReLU"},
    reference="He et al. 2015, Delving Deep into Rectifiers, arXiv:1502.01852",
)


def _capped_properties(cap):
    return Properties(range=(0.0, cap), monotonic=True, zero_centered=False, smooth=0, saturates="both", sparse=True)


CAPPED_RELU = Activation(
    name="capped_relu",
    formula="Min(Max(0, x), cap)",
    aliases=("clipped_relu", "bounded_relu", "relu_n"),
    summary="min(max(0, x), cap): ReLU clipped at cap; relu6 is cap = 6.",
    params=(Param("cap", 6.0, 0.0, low_open=True, doc="the output ceiling"),),
    kinks=lambda p: (0.0, p["cap"]),
    properties=lambda p: _capped_properties(p["cap"]),
    notes="derivative 0 at both kinks (x = 0 and x = cap), as PyTorch's hardtanh. keras: relu(x, max_value=cap).",
    frameworks={"torch": "F.hardtanh", "torch_args": "min_val=0, max_val=cap", "keras": "relu"},
    reference="Krizhevsky 2010, Convolutional Deep Belief Networks on CIFAR-10",
)


RELU6 = Activation(
    name="relu6",
    formula="Min(Max(0, x), 6)",
    aliases=("relu_6",),
    summary="min(max(0, x), 6): the capped ReLU of MobileNet; cheap in low precision.",
    kinks=(0.0, 6.0),
    properties=_capped_properties(6.0),
    notes="capped_relu with cap = 6; relu6'(0) = relu6'(6) = 0, as PyTorch.",
    frameworks={"torch": "F.relu6", "keras": "relu6", "jax": "nn.relu6"},
    reference="Krizhevsky 2010; Howard et al. 2017, MobileNets, arXiv:1704.04861",
)


RRELU = Activation(
    name="rrelu",
    formula="Piecewise(((lower + upper)/2*x, x <= 0), (x, True))",
    aliases=("randomized_relu", "randomized_leaky_relu"),
    summary="Leaky ReLU with a random slope ~ U(lower, upper) per element in training, the mean slope in eval.",
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


def _threshold_properties(p):
    t, v = p["threshold"], p["value"]
    return Properties(range=(min(t, v), math.inf), monotonic=v <= t, zero_centered=False,
                      smooth=0 if v == t else -1, saturates="left", sparse=v == 0)


THRESHOLD = Activation(
    name="threshold",
    formula="Piecewise((value, x <= threshold), (x, True))",
    aliases=("thresholded_relu",),
    summary="x where x > threshold, else a constant value (PyTorch's F.threshold).",
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


CRELU = Activation(
    name="crelu",
    formula="Max(0, x)",
    aliases=("concatenated_relu",),
    kind=EXPANDING,
    summary="Concatenated ReLU [relu(x), relu(-x)] along an axis: keeps the negative phase; output twice as wide.",
    kinks=(0.0,),
    properties=Properties(range=(0.0, math.inf), monotonic=False, zero_centered=False, smooth=0,
                          saturates="none", sparse=True),
    notes="Shape (..., n, ...) -> (..., 2n, ...) along `axis` (default -1). The formula shows the first half; the "
          "second half is Max(0, -x). vjp(x, g): g is twice as wide; returns g_pos*[x > 0] - g_neg*[x < 0].",
    frameworks={"tensorflow": "tf.nn.crelu"},
    reference="Shang et al. 2016, Understanding and Improving CNNs via Concatenated ReLUs, arXiv:1603.05201",
)
