"""actlab.torch's API: lazy import, modules, look-ups, errors, state_dict, pickling, trace and compile."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest

import torch  # a test dependency: its absence must fail, not skip

import actlab  # noqa: E402
import actlab.torch as at  # noqa: E402


def test_import_actlab_does_not_import_torch():
    code = "import sys, actlab; actlab.get('relu'); actlab.names(); assert 'torch' not in sys.modules, 'torch'"
    subprocess.run([sys.executable, "-c", code], check=True)


def test_module_by_name_alias_and_spec_give_the_same_layer():
    x = torch.randn(5)
    a, b = at.module("leaky_relu", alpha=0.1), at.module("LReLU", alpha=0.1)
    c = at.get_act_layer(actlab.spec("leaky_relu"))(alpha=0.1)
    d = at.get_act_layer(actlab.get("leaky_relu", alpha=0.1))()
    for m in (b, c, d):
        torch.testing.assert_close(m(x), a(x))
    assert type(a).__name__ == "LeakyRelu" and a.name == "leaky_relu"
    assert "alpha=0.1" in repr(a)


def test_get_act_layer_passes_classes_through_and_none_is_identity():
    assert at.get_act_layer(None) is torch.nn.Identity
    assert at.get_act_layer(torch.nn.GELU) is torch.nn.GELU
    with pytest.raises(TypeError, match="nn.Module"):
        at.get_act_layer(int)


def test_unknown_names_suggest_the_closest():
    with pytest.raises(actlab.UnknownActivation, match="Did you mean 'relu'"):
        at.module("rellu")
    with pytest.raises(actlab.UnknownActivation, match="Did you mean"):
        at.get_act_layer("leaky_rellu")


def test_bad_parameters_and_modes_are_refused_with_the_reason():
    with pytest.raises(ValueError, match="alpha"):
        at.module("leaky_relu", alpha=-1.0)
    with pytest.raises(ValueError, match="piecewise-linear"):
        at.function("sigmoid", memory="bit")
    with pytest.raises(ValueError, match="bits"):
        at.function("sigmoid", memory="fewbit", bits=9)
    with pytest.raises(ValueError, match="only used with memory='fewbit'"):
        at.function("relu", memory="full", bits=3)
    with pytest.raises(ValueError, match="memory must be one of"):
        at.function("relu", memory="half")
    with pytest.raises(ValueError, match="inplace=True is honoured only"):
        at.function("sigmoid", inplace=True)


def test_integer_tensors_and_non_tensors_are_refused():
    f = at.function("relu")
    with pytest.raises(TypeError, match="floating-point tensor.*int64"):
        f(torch.arange(3))
    with pytest.raises(TypeError, match="torch.Tensor"):
        f([1.0, 2.0])


def test_parameter_on_another_device_is_a_clear_error():
    m = at.module("prelu")
    m.to("meta")
    with pytest.raises(RuntimeError, match="input is on cpu but the parameter 'alpha' is on meta"):
        m(torch.randn(3))


def test_inplace_is_honoured():
    x = torch.randn(10)
    y = at.module("relu", inplace=True, exact=False, memory="full")(x)
    assert y.data_ptr() == x.data_ptr() and (x >= 0).all()


def test_prelu_is_per_channel_like_torch():
    ours, theirs = at.module("prelu", num_parameters=3), torch.nn.PReLU(3)
    with torch.no_grad():
        ours.alpha.copy_(torch.tensor([0.1, 0.2, 0.3]))
        theirs.weight.copy_(ours.alpha)
    x = torch.randn(4, 3, 5)
    torch.testing.assert_close(ours(x), theirs(x))
    ours(x).sum().backward()
    theirs(x).sum().backward()
    torch.testing.assert_close(ours.alpha.grad, theirs.weight.grad)


def test_learnable_parameters_get_gradients():
    learnable = [s.name for s in actlab.specs("elementwise") if any(p.learnable for p in s.params)]
    assert "prelu" in learnable
    for name in learnable:
        m = at.module(name)
        x = torch.randn(6, requires_grad=True)
        m(x).sum().backward()
        assert all(p.grad is not None and torch.isfinite(p.grad).all() for p in m.parameters()), name


def test_state_dict_round_trips_and_pickles():
    m = at.module("prelu", num_parameters=2)
    with torch.no_grad():
        m.alpha.fill_(0.7)
    fresh = at.module("prelu", num_parameters=2)
    fresh.load_state_dict(m.state_dict())
    x = torch.randn(3, 2)
    torch.testing.assert_close(fresh(x), m(x))
    buf = io.BytesIO()
    torch.save(torch.nn.Sequential(torch.nn.Linear(2, 2), m), buf)
    buf.seek(0)
    loaded = torch.load(buf, weights_only=False)
    torch.testing.assert_close(loaded[1](x), m(x))


@pytest.mark.filterwarnings("ignore:`torch.jit.trace` is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:`torch.jit.trace_method` is deprecated:DeprecationWarning")
@pytest.mark.parametrize("name", ["bent_identity", "relu", "gelu"])
def test_jit_trace(name):
    if name not in actlab.names():
        pytest.fail(f"{name} missing from the catalog")
    m = torch.nn.Sequential(torch.nn.Linear(4, 4), at.module(name))
    x = torch.randn(3, 4)
    traced = torch.jit.trace(m, x)
    torch.testing.assert_close(traced(x), m(x))


def test_torch_compile_fused_kernel():
    name = "bent_identity" if "bent_identity" in actlab.names() else "identity"
    m = at.module(name)
    x = torch.randn(64, requires_grad=True)
    compiled = torch.compile(m, backend="eager")  # the graph capture; inductor's C++ build is too slow for CI
    y = compiled(x)
    torch.testing.assert_close(y, m(x))
    (g,) = torch.autograd.grad(y.sum(), x)
    (g2,) = torch.autograd.grad(m(x).sum(), x)
    torch.testing.assert_close(g, g2)


def test_user_formula_without_kernel_uses_the_sympy_translation():
    from actlab.registry import register, unregister
    from actlab.spec import Activation, Properties
    import numpy as np

    spec = Activation(name="test_cubic_torch", forward=lambda x: x**3 + np.tanh(x), derivative=lambda x: 3 * x**2 + 1
                      - np.tanh(x) ** 2, formula="x**3 + tanh(x)", source="user",
                      properties=Properties((-np.inf, np.inf), True, True, np.inf, "none", False), reference="test")
    register(spec)
    try:
        x = torch.linspace(-2, 2, 9, dtype=torch.float64, requires_grad=True)
        f = at.function("test_cubic_torch")
        y = f(x)
        (g,) = torch.autograd.grad(y.sum(), x)
        torch.testing.assert_close(y, x**3 + torch.tanh(x))
        torch.testing.assert_close(g, 3 * x.detach() ** 2 + 1 - torch.tanh(x.detach()) ** 2)
        assert torch.autograd.gradgradcheck(f, (x,))
    finally:
        unregister("test_cubic_torch")


def test_rrelu_is_random_in_training_and_mean_slope_in_eval():
    m = at.module("rrelu")
    x = -torch.ones(1000)
    m.train()
    slopes = -m(x)
    assert 1 / 8 <= slopes.min() and slopes.max() <= 1 / 3 and slopes.std() > 0.01
    m.eval()
    torch.testing.assert_close(m(x), torch.nn.functional.rrelu(x, training=False))
