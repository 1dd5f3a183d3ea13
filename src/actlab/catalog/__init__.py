"""The catalog: every built-in activation as a textbook declaration, one family per module.

A declaration is an :class:`actlab.core.spec.Activation` without kernels: name, formula (the single source of
truth), parameters, properties, reference, summary, framework names. ``import actlab`` registers
:data:`DECLARATIONS` in this order (the order of ``actlab.names()``: the seeds' classics first, then the
families); the registry's binder gives each the kernels of :mod:`actlab.kernels` then. The catalog imports nothing
but :mod:`actlab.core`.

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

from actlab.catalog import classic, exponential, gated, hard, other, periodic, pooling, relu, shrink, smooth, vector
from actlab.core.spec import Activation

FAMILIES = (classic, relu, exponential, smooth, hard, shrink, other, periodic, vector, gated, pooling)

# Every Activation a family module defines, in the order it defines them.
DECLARATIONS: tuple[Activation, ...] = tuple(
    value for family in FAMILIES for value in vars(family).values() if isinstance(value, Activation))
