"""Layers of the NumPy network, each a forward that keeps what its backward needs, and that backward.

Every layer maps a batch ``(n, d_in) -> (n, d_out)`` and has

* ``forward(X, training=True)`` — keeps its inputs (the pre-activations, for activation layers);
* ``backward(grad, input_grad=True)`` — takes dL/d(output), fills ``self.grads`` (same keys and shapes as
  ``self.params``) and returns dL/d(input) (``None`` when ``input_grad`` is False: the first layer skips a matmul);
* ``params`` / ``grads`` — dicts of arrays, updated in place by the optimisers; ``decay`` names those L2 applies to.

Activation layers read the catalog: ``Activation("gelu")`` uses exactly the forward and derivative that
``actlab.get("gelu")`` defines, so the network can never disagree with the catalog.
"""

from __future__ import annotations

import functools
import math
from typing import Any

import numpy as np

import actlab
from actlab.errors import ParameterError
from actlab.nn.init import bias_vector, get_initializer
from actlab.spec import ELEMENTWISE, BoundActivation


def _rng(seed: int | np.random.Generator | None) -> np.random.Generator:
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _positive_int(value: Any, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ParameterError(f"{what} must be a positive integer. Got {value!r}.")
    return int(value)


def _float_dtype(dtype: Any) -> np.dtype:
    dt = np.dtype(dtype)
    if dt not in (np.float32, np.float64):
        raise ParameterError(f"dtype must be float32 or float64. Got {dt}.")
    return dt


class Layer:
    """Base class: no parameters, identity forward."""

    decay: tuple[str, ...] = ()  # names of the parameters L2 regularisation applies to (weights, not biases)
    records = False  # whether nn.Recorder records this layer (activation layers)

    def __init__(self) -> None:
        self.params: dict[str, np.ndarray] = {}
        self.grads: dict[str, np.ndarray] = {}

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        return X

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        return grad if input_grad else None

    def _init_grads(self) -> None:
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}

    def extra_repr(self) -> str:
        return ""

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.extra_repr()})"


class Dense(Layer):
    """Affine map ``Z = X W + b`` with W of shape (n_in, n_out).

    Backward: dL/dW = X^T delta, dL/db = sum_rows(delta), dL/dX = delta W^T.
    """

    decay = ("W",)

    def __init__(self, n_in: int, n_out: int, *, init: Any = "glorot_uniform", bias_init: float | str = 0.0,
                 dtype: Any = np.float32, rng: int | np.random.Generator | None = 0):
        super().__init__()
        self.n_in = _positive_int(n_in, "n_in of Dense")
        self.n_out = _positive_int(n_out, "n_out of Dense")
        dtype = _float_dtype(dtype)
        gen = _rng(rng)
        self.params = {
            "W": np.ascontiguousarray(get_initializer(init)(gen, self.n_in, self.n_out, dtype), dtype=dtype),
            "b": bias_vector(bias_init, gen, self.n_in, self.n_out, dtype),
        }
        self._init_grads()
        self._X: np.ndarray | None = None

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._X = X
        Z = X @ self.params["W"]
        Z += self.params["b"]
        return Z

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        np.dot(self._X.T, grad, out=self.grads["W"])
        np.sum(grad, axis=0, out=self.grads["b"])
        return grad @ self.params["W"].T if input_grad else None

    def extra_repr(self) -> str:
        return f"{self.n_in}, {self.n_out}, dtype={self.params['W'].dtype}"


class Activation(Layer):
    """Any catalog activation as a layer: ``A = f(Z)``; backward ``dL/dZ = dL/dA * f'(Z)``.

    Elementwise entries use the catalog's ``derivative`` (or ``derivative_from_output`` where the spec has it: the
    same function, computed from the kept output, e.g. s(1 - s) for the sigmoid — not s(1 + s) as seed 003 writes);
    softmax, GLU, CReLU and the other non-elementwise kinds use the catalog's vector-Jacobian product along the
    feature axis. RReLU draws its random slopes in training mode from a generator seeded by ``seed``.
    """

    records = True

    def __init__(self, activation: str | BoundActivation = "relu", seed: int | None = 0, **params: Any):
        super().__init__()
        self.act = actlab.get(activation, **params)
        self.kind = self.act.kind
        self._random = self.act.spec.random
        self._from_output = self.act.spec.derivative_from_output is not None
        self._gen = np.random.default_rng(seed) if self._random else None
        self._Z: np.ndarray | None = None
        self._A: np.ndarray | None = None
        self._training = False

    @property
    def elementwise(self) -> bool:
        return self.kind == ELEMENTWISE

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self._Z, self._training = Z, training
        if not self.elementwise:
            A = self.act(Z, axis=-1)
        elif self._random:
            A = self.act(Z, training=training, rng=self._gen)
        else:
            A = self.act(Z)
        self._A = A
        return A

    def local_derivative(self, Z: np.ndarray | None = None) -> np.ndarray:
        """f'(Z) elementwise, for the last forward pass (or for ``Z`` if given)."""
        if not self.elementwise:
            raise TypeError(f"{self.act.name} is a {self.kind} activation: it has no elementwise derivative")
        if Z is not None:
            return self.act.derivative(Z)
        if self._random and self._training:
            # RReLU in training used a random slope a per element: f(z) = a z for z < 0, so f'(z) = f(z) / z there.
            d = self.act.derivative(self._Z)
            neg = self._Z < 0
            d[neg] = self._A[neg] / self._Z[neg]
            return d
        if self._from_output:
            return self.act.derivative_from_output(self._A)
        return self.act.derivative(self._Z)

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        if self.elementwise:
            return grad * self.local_derivative()
        return self.act.vjp(self._Z, grad, axis=-1)

    def extra_repr(self) -> str:
        return repr(self.act)


class CReLU(Activation):
    """Concatenated ReLU [relu(z), relu(-z)] (Shang et al. 2016): the output is twice as wide as the input."""

    def __init__(self, **params: Any):
        super().__init__("crelu", **params)


class GLU(Activation):
    """A gated linear unit of the catalog (glu, swiglu, geglu, reglu): splits its input in halves a, b and returns
    a * gate(b) (Dauphin et al. 2017; Shazeer 2020), so the output is half as wide as the input."""

    def __init__(self, variant: str = "glu", **params: Any):
        super().__init__(variant, **params)
        if self.kind != "gated":
            raise ParameterError(f"GLU needs a gated activation (glu, swiglu, geglu, reglu). Got {variant!r}, "
                                 f"a {self.kind} activation.")


class Softmax(Activation):
    """Softmax output layer (probabilities along the feature axis). To train with cross-entropy, prefer a linear
    output and ``SoftmaxCrossEntropy`` on the logits: the same model, computed stably."""

    def __init__(self, **params: Any):
        super().__init__("softmax", **params)


class PReLU(Layer):
    """Parametric ReLU (He et al. 2015): z for z > 0, alpha z otherwise, with alpha learned.

    One slope for the whole layer (``n_units=None``) or one per unit. dL/dalpha = sum of dL/dA * min(z, 0) over the
    batch (and over the units when the slope is shared). At z = 0 the derivative is alpha, as for the catalog's
    ``prelu`` and ``leaky_relu``.
    """

    records = True

    def __init__(self, n_units: int | None = None, alpha: float = 0.25, dtype: Any = np.float32):
        super().__init__()
        dtype = _float_dtype(dtype)
        if isinstance(alpha, bool) or not isinstance(alpha, (int, float, np.floating)) or not math.isfinite(alpha):
            raise ParameterError(f"alpha of PReLU must be a finite float. Got {alpha!r}.")
        self.per_unit = n_units is not None
        shape = (_positive_int(n_units, "n_units of PReLU"),) if self.per_unit else (1,)
        self.params = {"alpha": np.full(shape, alpha, dtype=dtype)}
        self._init_grads()
        self._Z: np.ndarray | None = None

    def forward(self, Z: np.ndarray, training: bool = True) -> np.ndarray:
        self._Z = Z
        return np.where(Z > 0, Z, self.params["alpha"] * Z)

    def local_derivative(self, Z: np.ndarray | None = None) -> np.ndarray:
        Z = self._Z if Z is None else Z
        return np.where(Z > 0, Z.dtype.type(1), self.params["alpha"]).astype(Z.dtype, copy=False)

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        gneg = grad * np.minimum(self._Z, 0)
        if self.per_unit:
            np.sum(gneg, axis=0, out=self.grads["alpha"])
        else:
            self.grads["alpha"][0] = gneg.sum()
        return grad * self.local_derivative() if input_grad else None

    def extra_repr(self) -> str:
        n = self.params["alpha"].shape[0]
        return f"{'per unit, ' + str(n) if self.per_unit else 'shared'}, dtype={self.params['alpha'].dtype}"


class Maxout(Layer):
    """Maxout (Goodfellow et al. 2013): n_out units, each the max of k affine pieces of the input.

    Z = X W + b with W of shape (n_in, n_out * k), the pieces of unit j in columns j*k .. j*k + k - 1; the output is
    their max. Backward: the gradient flows only to the winning piece (ties: the first one).
    """

    decay = ("W",)
    records = True

    def __init__(self, n_in: int, n_out: int, k: int = 2, *, init: Any = "glorot_uniform",
                 bias_init: float | str = 0.0, dtype: Any = np.float32, rng: int | np.random.Generator | None = 0):
        super().__init__()
        self.n_in = _positive_int(n_in, "n_in of Maxout")
        self.n_out = _positive_int(n_out, "n_out of Maxout")
        self.k = _positive_int(k, "k (the number of pieces) of Maxout")
        self.dense = Dense(self.n_in, self.n_out * self.k, init=init, bias_init=bias_init, dtype=dtype, rng=rng)
        self.params, self.grads = self.dense.params, self.dense.grads
        self._idx: np.ndarray | None = None
        self._Z: np.ndarray | None = None

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        Z = self.dense.forward(X, training).reshape(X.shape[0], self.n_out, self.k)
        self._Z = Z.reshape(X.shape[0], -1)
        self._idx = Z.argmax(axis=2)[..., None]
        return np.take_along_axis(Z, self._idx, axis=2)[..., 0]

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        gZ = np.zeros((grad.shape[0], self.n_out, self.k), dtype=grad.dtype)
        np.put_along_axis(gZ, self._idx, grad[..., None], axis=2)
        return self.dense.backward(gZ.reshape(grad.shape[0], -1), input_grad)

    def extra_repr(self) -> str:
        return f"{self.n_in}, {self.n_out}, k={self.k}"


@functools.cache
def _catalog(name: str) -> BoundActivation:
    """A catalog activation with its defaults, looked up once (the NALU layers call these every step)."""
    return actlab.get(name)


def _transpose(A: np.ndarray) -> np.ndarray:
    """The last two axes swapped: A^T for one layer's matrix, each member's A^T for an ensemble's stack."""
    return np.swapaxes(A, -1, -2)


def _ensemble_draw(init: Any, gen: np.random.Generator, n_in: int, n_out: int, dtype: np.dtype,
                   ensemble: int | None, what: str):
    """A function drawing one weight matrix (n_in, n_out) from ``init``, or ``ensemble`` of them stacked on a leading
    axis (each drawn as a single layer's would be): the layers' ``ensemble=S`` trains S independent copies at once."""
    draw = get_initializer(init)
    if ensemble is None:
        return lambda: draw(gen, n_in, n_out, dtype)
    S = _positive_int(ensemble, f"ensemble of {what}")
    return lambda: np.stack([draw(gen, n_in, n_out, dtype) for _ in range(S)])


def _gate_weights(W_hat: np.ndarray, M_hat: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """NAC's W = tanh(W_hat) * sigmoid(M_hat), which biases W towards {-1, 0, 1}; also returns the two factors."""
    t = _catalog("tanh")(W_hat)
    s = _catalog("sigmoid")(M_hat)
    return t * s, t, s


def _gate_backward(dW: np.ndarray, t: np.ndarray, s: np.ndarray, grads: dict[str, np.ndarray]) -> None:
    grads["W_hat"][...] = dW * s * (1 - t * t)  # d tanh = 1 - tanh^2
    grads["M_hat"][...] = dW * t * s * (1 - s)  # d sigmoid = s (1 - s)


class NAC(Layer):
    """Neural accumulator (Trask et al. 2018, arXiv:1808.00508): y = X W with W = tanh(W_hat) * sigmoid(M_hat).

    No bias and weights pushed towards {-1, 0, 1}, so the layer learns exact additions and subtractions.
    ``ensemble=S`` stacks S independent layers (parameters (S, n_in, n_out), inputs (S, n, n_in)).
    """

    def __init__(self, n_in: int, n_out: int, *, init: Any = "glorot_uniform", dtype: Any = np.float32,
                 rng: int | np.random.Generator | None = 0, ensemble: int | None = None):
        super().__init__()
        self.n_in = _positive_int(n_in, "n_in of NAC")
        self.n_out = _positive_int(n_out, "n_out of NAC")
        dtype = _float_dtype(dtype)
        draw = _ensemble_draw(init, _rng(rng), self.n_in, self.n_out, dtype, ensemble, "NAC")
        self.params = {"W_hat": draw(), "M_hat": draw()}
        self._init_grads()

    @property
    def W(self) -> np.ndarray:
        return _gate_weights(self.params["W_hat"], self.params["M_hat"])[0]

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._X = X
        self._W, self._t, self._s = _gate_weights(self.params["W_hat"], self.params["M_hat"])
        return X @ self._W

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        _gate_backward(_transpose(self._X) @ grad, self._t, self._s, self.grads)
        return grad @ _transpose(self._W) if input_grad else None

    def extra_repr(self) -> str:
        return f"{self.n_in}, {self.n_out}"


class NALU(Layer):
    """Neural arithmetic logic unit (Trask et al. 2018): y = g * a + (1 - g) * m, with

    a = X W (the NAC path), m = exp(log(|X| + eps) W) (multiplication and division in log space, sharing W),
    g = sigmoid(X G) (a learned gate choosing between them), W = tanh(W_hat) * sigmoid(M_hat).

    The log-space exponent is clipped below the dtype's overflow limit (the gradient is zero beyond it), so a wild
    step gives a huge finite output rather than inf. d|x|/dx is sign(x), taken as 0 at x = 0.
    ``ensemble=S`` stacks S independent layers (parameters (S, n_in, n_out), inputs (S, n, n_in)).
    """

    def __init__(self, n_in: int, n_out: int, *, eps: float = 1e-7, init: Any = "glorot_uniform",
                 dtype: Any = np.float32, rng: int | np.random.Generator | None = 0, ensemble: int | None = None):
        super().__init__()
        self.n_in = _positive_int(n_in, "n_in of NALU")
        self.n_out = _positive_int(n_out, "n_out of NALU")
        if not (isinstance(eps, (int, float)) and 0 < eps < 1):
            raise ParameterError(f"eps of NALU must be a float in (0, 1). Got {eps!r}.")
        self.eps = float(eps)
        dtype = _float_dtype(dtype)
        draw = _ensemble_draw(init, _rng(rng), self.n_in, self.n_out, dtype, ensemble, "NALU")
        self.params = {"W_hat": draw(), "M_hat": draw(), "G": draw()}
        self._init_grads()

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        W, self._t, self._s = _gate_weights(self.params["W_hat"], self.params["M_hat"])
        absx = np.abs(X) + X.dtype.type(self.eps)
        logx = np.log(absx)
        a = X @ W
        mz = logx @ W
        limit = math.log(np.finfo(X.dtype).max) - 1.0  # exp(limit) is finite, with room for the sums after it
        self._clipped = mz > limit
        m = np.exp(np.minimum(mz, limit))
        g = _catalog("sigmoid")(X @ self.params["G"])
        self._cache = (X, W, absx, logx, a, m, g)
        return g * a + (1 - g) * m

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        X, W, absx, logx, a, m, g = self._cache
        da = grad * g
        dm = grad * (1 - g)
        dgz = grad * (a - m) * g * (1 - g)  # through y = g a + (1 - g) m, then the sigmoid
        dmz = np.where(self._clipped, 0, dm * m)  # d exp = exp
        XT = _transpose(X)
        self.grads["G"][...] = XT @ dgz
        _gate_backward(XT @ da + _transpose(logx) @ dmz, self._t, self._s, self.grads)
        if not input_grad:
            return None
        WT = _transpose(W)
        return da @ WT + dgz @ _transpose(self.params["G"]) + (dmz @ WT) * np.sign(X) / absx

    def extra_repr(self) -> str:
        return f"{self.n_in}, {self.n_out}, eps={self.eps:g}"


# --- Madsen & Johansen's arithmetic units --------------------------------------------------------------------------

def _ensemble_shape(ensemble: int | None, n_in: int, n_out: int, what: str) -> tuple[int, ...]:
    """Weights of one layer (n_in, n_out), or of ``ensemble`` independent copies stacked on a leading axis."""
    if ensemble is None:
        return (n_in, n_out)
    return (_positive_int(ensemble, f"ensemble of {what}"), n_in, n_out)


class _SparseUnit(Layer):
    """What NAU and NMU share: weights W kept in a box [low, 1] and Madsen & Johansen's sparsity regulariser

        R_sparse = mean_ij min(|W_ij|, 1 - |W_ij|),

    zero exactly when every weight is in {-1, 0, 1}. ``sparsity`` is its weight lambda in the training loss
    (0 by default; a training loop raises it on a schedule, as the paper does from lambda_start to lambda_end), and
    ``backward`` adds lambda dR/dW to the weight gradient. The box is a projection: every forward clips W in place,
    so the weights used are always inside it, which is the paper's clipping after each optimiser step.

    ``ensemble=S`` stacks S independent units on a leading axis (weights (S, n_in, n_out), inputs (S, n, n_in)):
    one NumPy call trains S seeds at once.
    """

    low = -1.0

    def __init__(self, n_in: int, n_out: int, r: float, centre: float, *, sparsity: float = 0.0,
                 dtype: Any = np.float32, rng: int | np.random.Generator | None = 0, ensemble: int | None = None):
        super().__init__()
        what = type(self).__name__
        self.n_in = _positive_int(n_in, f"n_in of {what}")
        self.n_out = _positive_int(n_out, f"n_out of {what}")
        self.sparsity = sparsity
        dtype = _float_dtype(dtype)
        shape = _ensemble_shape(ensemble, self.n_in, self.n_out, what)
        self.params = {"W": _rng(rng).uniform(centre - r, centre + r, shape).astype(dtype)}
        self._init_grads()

    @property
    def sparsity(self) -> float:
        return self._sparsity

    @sparsity.setter
    def sparsity(self, value: float) -> None:
        if isinstance(value, bool) or not isinstance(value, (int, float, np.floating)) or not value >= 0 \
                or not math.isfinite(value):
            raise ParameterError(f"sparsity of {type(self).__name__} must be a finite float >= 0. Got {value!r}.")
        self._sparsity = float(value)

    @property
    def W(self) -> np.ndarray:
        return self.params["W"]

    def _project(self) -> np.ndarray:
        W = self.params["W"]
        np.clip(W, self.low, 1.0, out=W)
        return W

    def penalty(self) -> np.ndarray | float:
        """R_sparse per unit (an array of S values for an ensemble): the mean of min(|W|, 1 - |W|)."""
        a = np.abs(self.params["W"])
        return np.minimum(a, 1 - a).mean(axis=(-2, -1))

    def _add_penalty_grad(self) -> None:
        if self._sparsity == 0.0:
            return
        W = self.params["W"]
        a = np.abs(W)
        # d min(|w|, 1 - |w|)/dw = sign(w) below |w| = 1/2, -sign(w) above (0 at w = 0 and at the kink's left).
        d = np.where(a < 0.5, np.sign(W), -np.sign(W)) / (W.shape[-2] * W.shape[-1])
        self.grads["W"] += (self._sparsity * d).astype(W.dtype, copy=False)

    def extra_repr(self) -> str:
        W = self.params["W"]
        ens = f", ensemble={W.shape[0]}" if W.ndim == 3 else ""
        return f"{self.n_in}, {self.n_out}{ens}, sparsity={self._sparsity:g}, dtype={W.dtype}"


class NAU(_SparseUnit):
    """Neural addition unit (Madsen & Johansen 2020, "Neural Arithmetic Units", ICLR, arXiv:2001.05016):

    .. math:: y_j = \\sum_i W_{ij} x_i, \\quad W \\in [-1, 1]

    A linear layer without bias whose weights are clipped to [-1, 1] and pushed to {-1, 0, 1} by the sparsity
    regulariser, so it learns exact sums and differences. Initialisation as the paper's: W ~ U(-r, r) with
    r = min(1/2, sqrt(3) sqrt(2 / (n_in + n_out))) (Glorot's variance, E[W] = 0). Backward: dL/dW = X^T delta
    (+ lambda dR/dW), dL/dX = delta W^T.
    """

    def __init__(self, n_in: int, n_out: int, *, sparsity: float = 0.0, dtype: Any = np.float32,
                 rng: int | np.random.Generator | None = 0, ensemble: int | None = None):
        r = min(0.5, math.sqrt(3.0) * math.sqrt(2.0 / (_positive_int(n_in, "n_in of NAU")
                                                       + _positive_int(n_out, "n_out of NAU"))))
        super().__init__(n_in, n_out, r, 0.0, sparsity=sparsity, dtype=dtype, rng=rng, ensemble=ensemble)

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        self._X = X
        return X @ self._project()

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        self.grads["W"][...] = _transpose(self._X) @ grad
        self._add_penalty_grad()
        return grad @ _transpose(self.params["W"]) if input_grad else None


class NMU(_SparseUnit):
    """Neural multiplication unit (Madsen & Johansen 2020, ICLR, arXiv:2001.05016):

    .. math:: y_j = \\prod_i \\left(W_{ij} x_i + 1 - W_{ij}\\right), \\quad W \\in [0, 1]

    W_ij = 1 multiplies x_i in, W_ij = 0 leaves it out (the factor is 1): unlike NALU's log-space path it has no
    log, no exp and no division, so it handles zero and negative inputs and its gradient stays finite.
    Initialisation as the paper's: W ~ U(1/4, 3/4) (E[W] = 1/2, the box's centre). Backward: with the factors
    F_i = W_i x_i + 1 - W_i and the product of the others P_i = prod_{k != i} F_k (prefix times suffix products,
    never a division, so a zero factor is exact), dL/dW_i = sum_n delta P_i (x_i - 1), dL/dx_i = sum_j delta P_i W_i.
    """

    low = 0.0

    def __init__(self, n_in: int, n_out: int, *, sparsity: float = 0.0, dtype: Any = np.float32,
                 rng: int | np.random.Generator | None = 0, ensemble: int | None = None):
        super().__init__(n_in, n_out, 0.25, 0.5, sparsity=sparsity, dtype=dtype, rng=rng, ensemble=ensemble)

    def forward(self, X: np.ndarray, training: bool = True) -> np.ndarray:
        W = self._project()[..., None, :, :]  # (..., 1, n_in, n_out)
        self._X = X
        self._F = X[..., :, :, None] * W + (1 - W)  # (..., n, n_in, n_out)
        return np.prod(self._F, axis=-2)

    def _others(self) -> np.ndarray:
        """prod_{k != i} F_k along the input axis, from exclusive prefix and suffix products."""
        F = self._F
        ones = np.ones_like(F[..., :1, :])
        before = np.cumprod(np.concatenate([ones, F[..., :-1, :]], axis=-2), axis=-2)
        after = np.flip(np.cumprod(np.flip(np.concatenate([F[..., 1:, :], ones], axis=-2), -2), axis=-2), -2)
        return before * after

    def backward(self, grad: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        G = grad[..., :, None, :] * self._others()  # dL/dF: (..., n, n_in, n_out)
        self.grads["W"][...] = np.sum(G * (self._X[..., :, :, None] - 1), axis=-3)
        self._add_penalty_grad()
        if not input_grad:
            return None
        return np.sum(G * self.params["W"][..., None, :, :], axis=-1)
