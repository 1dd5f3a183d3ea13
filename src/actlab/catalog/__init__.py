"""The catalog: importing this package registers every built-in activation, one family per module.

Registration order is the order of ``actlab.names()``: the seeds' classics first, then the families.

=================  ==================================================================================================
module             entries
=================  ==================================================================================================
classic            binary_step, identity, sigmoid, tanh
relu               relu, leaky_relu, prelu, capped_relu, relu6, rrelu, threshold, crelu (expanding)
exponential        elu, selu, celu, exponential
smooth             softplus, log_sigmoid, softsign, silu, swish, quick_gelu, gelu, gelu_tanh, mish, squareplus
hard               hard_sigmoid, hard_sigmoid_keras2, hard_swish, hard_tanh, hard_mish, sparse_plus, sparse_sigmoid
shrink             hard_shrink, soft_shrink, tanh_shrink
other              bent_identity, isru, arctan, gaussian, elliott, sqnl
periodic           snake, sinusoid
vector             softmax, log_softmax, softmin, sparsemax
gated              glu, swiglu, geglu, reglu
pooling            maxout
=================  ==================================================================================================

What torch.nn, keras.activations and jax.nn offer and the catalog deliberately leaves out:

* ``torch.nn.Softmax2d`` is softmax over the channel axis: ``get("softmax")(x, axis=-3)``.
* ``torch.nn.MultiheadAttention``, ``AdaptiveLogSoftmaxWithLoss``, ``jax.nn.dot_product_attention``: layers and
  losses, not activations.
* ``F.gumbel_softmax``: a sampler (random, with a temperature), not a deterministic activation.
* ``jax.nn.standardize``: normalisation by the mean and variance along an axis (layer norm without its affine
  part): it belongs with the network's normalisation layers, not with activations.
* ``jax.nn.logsumexp``, ``jax.nn.one_hot``: a reduction and an encoding.
* ``keras.activations.relu(x, negative_slope, max_value, threshold)``: one function with three switches; each switch
  is its own entry here (leaky_relu, capped_relu, threshold).
"""

from actlab.catalog import (  # noqa: F401
    classic,
    relu,
    exponential,
    smooth,
    hard,
    shrink,
    other,
    periodic,
    vector,
    gated,
    pooling,
)
