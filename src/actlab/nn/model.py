"""Sequential models and ``mlp``, the multi-layer perceptron every experiment builds.

The forward pass keeps each layer's input (the pre-activations Z for activation layers); the backward pass walks
the layers in reverse. For an MLP of Dense and Activation layers it computes exactly the textbook recursion

    delta_L = dL/dZ_L                           (y_hat - y for softmax/sigmoid + cross-entropy, from the loss)
    dW_l    = A_{l-1}^T delta_l,   db_l = sum_rows(delta_l)
    delta_{l-1} = (delta_l @ W_l.T) * act.derivative(Z_{l-1})

with ``delta @ W.T`` done by ``Dense.backward`` and ``* act.derivative(Z)`` by ``Activation.backward``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Sequence

import numpy as np

import actlab
from actlab.errors import ParameterError
from actlab.nn.init import auto_init
from actlab.nn.layers import Activation, Dense, Layer, PReLU, _float_dtype, _positive_int
from actlab.spec import ELEMENTWISE, BoundActivation


class Sequential:
    """Layers applied one after another. ``model(X)`` predicts (``forward(X, training=False)``)."""

    def __init__(self, *layers: Layer | Iterable[Layer], dtype: Any = None):
        if len(layers) == 1 and not isinstance(layers[0], Layer):
            layers = tuple(layers[0])
        for layer in layers:
            if not isinstance(layer, Layer):
                raise TypeError(f"Sequential takes nn layers; got {layer!r} of type {type(layer).__name__}")
        self.layers: list[Layer] = list(layers)
        dtypes = {p.dtype for layer in self.layers for p in layer.params.values()}
        if len(dtypes) > 1:
            raise ParameterError(f"all layers of a model must share one dtype; got {sorted(map(str, dtypes))}")
        self.dtype = _float_dtype(dtype if dtype is not None else (dtypes.pop() if dtypes else np.float32))
        self._hooks: list[Any] = []
        self._flatten()

    def _flatten(self) -> None:
        """Move every parameter and gradient into one contiguous buffer each, leaving views in the layers: an
        optimiser step is then a handful of NumPy calls on one array instead of a handful per parameter."""
        params = [(layer, k) for layer in self.layers for k in layer.params]
        sizes = [layer.params[k].size for layer, k in params]
        self.flat_params = np.zeros(sum(sizes), dtype=self.dtype)
        self.flat_grads = np.zeros(sum(sizes), dtype=self.dtype)
        start = 0
        for (layer, k), size in zip(params, sizes):
            shape = layer.params[k].shape
            view = self.flat_params[start:start + size].reshape(shape)
            view[...] = layer.params[k]
            layer.params[k] = view
            layer.grads[k] = self.flat_grads[start:start + size].reshape(shape)
            start += size

    # --- computation --------------------------------------------------------------------------------------------
    def forward(self, X: Any, training: bool = True) -> np.ndarray:
        X = np.asarray(X, dtype=self.dtype)
        if X.ndim == 1:
            X = X.reshape(-1, 1)
        for i, layer in enumerate(self.layers):
            out = layer.forward(X, training)
            for hook in self._hooks:
                hook.on_forward(i, layer, X, out)
            X = out
        return X

    def backward(self, grad_output: np.ndarray, input_grad: bool = True) -> np.ndarray | None:
        """Back-propagate dL/d(output); fills every layer's ``grads`` and returns dL/d(input) (or None)."""
        grad = np.asarray(grad_output, dtype=self.dtype)
        last = len(self.layers) - 1
        for i in range(last, -1, -1):
            layer = self.layers[i]
            grad_in = layer.backward(grad, input_grad or i > 0)
            for hook in self._hooks:
                hook.on_backward(i, layer, grad, grad_in)
            grad = grad_in
        return grad

    def predict(self, X: Any) -> np.ndarray:
        return self.forward(X, training=False)

    __call__ = predict

    # --- parameters ---------------------------------------------------------------------------------------------
    def parameters(self) -> list[np.ndarray]:
        """Every trainable array, in a fixed order (the optimisers update them in place)."""
        return [p for layer in self.layers for p in layer.params.values()]

    def gradients(self) -> list[np.ndarray]:
        """The gradient arrays, aligned with :meth:`parameters`."""
        return [layer.grads[k] for layer in self.layers for k in layer.params]

    def decayed(self) -> list[bool]:
        """For each parameter, whether L2 regularisation applies to it (weights yes, biases and slopes no)."""
        return [k in layer.decay for layer in self.layers for k in layer.params]

    def named_parameters(self) -> list[tuple[str, np.ndarray]]:
        return [(f"{i}.{k}", p) for i, layer in enumerate(self.layers) for k, p in layer.params.items()]

    @property
    def n_params(self) -> int:
        return int(sum(p.size for p in self.parameters()))

    def state(self) -> list[np.ndarray]:
        """A copy of every parameter (to restore the best epoch later)."""
        return [p.copy() for p in self.parameters()]

    def load_state(self, state: Sequence[np.ndarray]) -> None:
        params = self.parameters()
        if len(state) != len(params) or any(s.shape != p.shape for s, p in zip(state, params)):
            raise ParameterError("load_state needs arrays with the shapes of this model's parameters")
        for p, s in zip(params, state):
            p[...] = s

    # --- hooks --------------------------------------------------------------------------------------------------
    def add_hook(self, hook: Any) -> None:
        """``hook.on_forward(i, layer, input, output)`` and ``hook.on_backward(i, layer, grad_output, grad_input)``
        are called after each layer's forward and backward (nn.Recorder is such a hook)."""
        self._hooks.append(hook)

    def remove_hook(self, hook: Any) -> None:
        if hook in self._hooks:
            self._hooks.remove(hook)

    def astype(self, dtype: Any) -> "Sequential":
        """A copy of the model with every parameter converted to ``dtype`` (no hooks)."""
        import copy

        hooks, self._hooks = self._hooks, []
        try:
            new = copy.deepcopy(self)
        finally:
            self._hooks = hooks
        new.dtype = _float_dtype(dtype)
        for layer in new.layers:
            for k in layer.params:
                layer.params[k] = layer.params[k].astype(new.dtype)
        new._flatten()
        return new

    def __getstate__(self) -> dict:
        state = dict(self.__dict__)
        state["_hooks"] = []  # hooks (recorders) stay with the original
        return state

    def __setstate__(self, state: dict) -> None:
        # Pickling copies the parameter views apart from their flat buffer; join them up again.
        self.__dict__.update(state)
        self._flatten()

    def __repr__(self) -> str:
        body = "".join(f"\n  ({i}) {layer!r}" for i, layer in enumerate(self.layers))
        return f"Sequential({body}\n)"

    def __len__(self) -> int:
        return len(self.layers)

    def __getitem__(self, i: int) -> Layer:
        return self.layers[i]


def _width_ratio(act: BoundActivation) -> float:
    """How much wider an activation's output is than its input: 1, 2 (CReLU), 1/2 (GLU), 1/k (maxout)."""
    if act.kind == ELEMENTWISE:
        return 1.0
    for width in (840, 27720):  # divisible by 1..12: fits any group size a pooling activation uses
        try:
            out = np.asarray(act(np.zeros((1, width)), axis=-1))
        except ValueError:  # the width does not suit the activation's group size
            continue
        return out.shape[-1] / width
    raise ParameterError(f"cannot tell the output width of {act!r}")


def mlp(n_in: int, hidden: int | Sequence[int], n_out: int, activation: str | BoundActivation = "relu",
        activation_params: dict | None = None, init: str | Callable = "auto", bias_init: float | str = 0.0,
        dtype: Any = np.float32, seed: int = 0) -> Sequential:
    """A multi-layer perceptron: ``Dense -> activation`` per hidden width, then a linear ``Dense`` output (logits).

    ``hidden`` gives the widths *after* each activation, so a GLU layer gets a Dense twice as wide and a CReLU layer
    one half as wide. ``prelu`` becomes a learnable :class:`PReLU` (one slope per layer); every other catalog name an
    :class:`Activation`. ``init="auto"`` picks He for ReLU-like, Glorot for bounded and LeCun for self-normalising
    activations (the output layer gets Glorot). ``bias_init`` is a constant (0.1 keeps ReLU units alive at the start)
    or "uniform". Same ``seed``, same numbers.

    >>> model = mlp(4, [16, 16], 3, activation="tanh", seed=1)
    >>> model.predict(np.ones((2, 4))).shape
    (2, 3)
    """
    n_in = _positive_int(n_in, "n_in")
    n_out = _positive_int(n_out, "n_out")
    widths = [hidden] if isinstance(hidden, (int, np.integer)) else list(hidden)
    widths = [_positive_int(w, "every hidden width") for w in widths]
    dtype = _float_dtype(dtype)
    act = actlab.get(activation, **(activation_params or {}))
    ratio = _width_ratio(act)
    rng = np.random.default_rng(seed)
    layers: list[Layer] = []
    width_in = n_in
    for width in widths:
        pre = width / ratio
        if pre != int(pre):
            raise ParameterError(f"a hidden width of {width} does not suit {act!r}, whose output is {ratio:g} times "
                                 f"as wide as its input. Choose widths that make {width} / {ratio:g} an integer.")
        layers.append(Dense(width_in, int(pre), init=auto_init(act) if init == "auto" else init, bias_init=bias_init,
                            dtype=dtype, rng=rng))
        if act.name == "prelu":
            layers.append(PReLU(None, alpha=float(act.params.get("alpha", 0.25)), dtype=dtype))
        else:
            layers.append(Activation(act, seed=int(rng.integers(2**31))))
        width_in = width
    layers.append(Dense(width_in, n_out, init=auto_init(None) if init == "auto" else init, bias_init=bias_init,
                        dtype=dtype, rng=rng))
    return Sequential(layers, dtype=dtype)
