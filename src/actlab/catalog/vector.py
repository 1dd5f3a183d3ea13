"""Vector-valued activations along an axis: softmax, log-softmax, softmin and sparsemax.

Their Jacobian is not diagonal, so they expose ``vjp(x, g, axis=-1)`` (the backward pass) instead of an elementwise
derivative.
"""

from __future__ import annotations

from actlab.core.spec import VECTOR, Activation, Properties


# softmax and softmin (softmax(-x)): a smooth probability vector with no exact zeros.
_PROBABILITIES = Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=float("inf"),
                            saturates="both", sparse=False)


SOFTMAX = Activation(
    name="softmax",
    formula="exp(x)/Sum(exp(Symbol('x_j')), (Symbol('j'), 1, Symbol('n')))",
    aliases=("soft_max", "normalized_exponential"),
    kind=VECTOR,
    summary="exp(x_i)/sum_j exp(x_j) along an axis: a probability vector; shift-invariant.",
    properties=_PROBABILITIES,
    notes="Computed on x - max(x) (no overflow). vjp: y * (g - sum(g * y)). With a softmax output and "
          "cross-entropy the backward pass simplifies to y_hat - y (stated where the loss is).",
    frameworks={"torch": "F.softmax", "torch_args": "dim=axis", "keras": "softmax", "jax": "nn.softmax"},
    reference="Bridle 1990, Probabilistic Interpretation of Feedforward Classification Network Outputs",
)


LOG_SOFTMAX = Activation(
    name="log_softmax",
    formula="x - log(Sum(exp(Symbol('x_j')), (Symbol('j'), 1, Symbol('n'))))",
    aliases=("logsoftmax",),
    kind=VECTOR,
    summary="x_i - log sum_j exp(x_j): the log-probabilities of softmax, computed without forming them.",
    properties=Properties(range=(-float("inf"), 0.0), monotonic=False, zero_centered=False,
                          smooth=float("inf"), saturates="none", sparse=False),
    notes="(x - m) - log(sum exp(x - m)), m = max(x). vjp: g - softmax(x) * sum(g).",
    frameworks={"torch": "F.log_softmax", "torch_args": "dim=axis", "keras": "log_softmax",
                "jax": "nn.log_softmax"},
    reference="(textbook); Bridle 1990",
)


SOFTMIN = Activation(
    name="softmin",
    formula="exp(-x)/Sum(exp(-Symbol('x_j')), (Symbol('j'), 1, Symbol('n')))",
    aliases=("soft_min",),
    kind=VECTOR,
    summary="softmax(-x): a probability vector that favours the smallest entries.",
    properties=_PROBABILITIES,
    notes="softmin(x) = softmax(-x); vjp = -softmax_vjp(-x, g).",
    frameworks={"torch": "F.softmin", "torch_args": "dim=axis"},
    reference="PyTorch torch.nn.Softmin",
)


SPARSEMAX = Activation(
    name="sparsemax",
    formula="Max(x - Symbol('tau'), 0)",
    aliases=("sparse_max",),
    kind=VECTOR,
    summary="The Euclidean projection of x onto the probability simplex: like softmax, but with exact zeros.",
    properties=Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=0,
                          saturates="both", sparse=True),
    notes="max(x - tau, 0) with tau chosen so the entries sum to 1 (sort-based, O(n log n)). vjp: on the "
          "support S, g - mean_S(g); 0 elsewhere.",
    frameworks={},
    reference="Martins & Astudillo 2016, From Softmax to Sparsemax, arXiv:1602.02068",
)
