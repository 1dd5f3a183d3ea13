"""Registry-driven: every catalog activation in torch equals the NumPy reference and torch.nn.functional's twin."""

from __future__ import annotations

import numpy as np
import pytest

import torch  # a test dependency: its absence must fail, not skip

import actlab  # noqa: E402
import actlab.torch as at  # noqa: E402
from actlab.torch.functional import kernel_for  # noqa: E402

from _torch_helpers import native_twin, smooth_points  # noqa: E402

ALL = [s.name for s in actlab.specs()]
ELEMENTWISE = [s.name for s in actlab.specs("elementwise")]
OTHER = [s.name for s in actlab.specs() if s.kind != "elementwise"]
MODES = [dict(exact=True), dict(exact=False), dict()]


def test_every_catalog_entry_has_a_hand_written_kernel():
    missing = [s.name for s in actlab.specs() if s.source == "catalog" and kernel_for(s) is None]
    assert missing == []


@pytest.mark.parametrize("name", ALL)
def test_kernel_takes_the_catalog_parameters(name):
    import inspect

    spec = actlab.spec(name)
    fwd = kernel_for(spec).forward
    accepted = set(inspect.signature(fwd).parameters)
    assert {p.name for p in spec.params} <= accepted


@pytest.mark.parametrize("mode", MODES, ids=["exact", "fast", "default"])
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_values_and_gradients_equal_the_numpy_reference(name, mode):
    spec = actlab.spec(name)
    ref = actlab.get(name)
    x = smooth_points(spec, ref.params, n=257)
    if mode.get("exact") and not spec.kinks_for(ref.params):  # the tails: only the exact mode promises them
        x = np.concatenate([x, [0.0, -1e3, 1e3, -30.0, 30.0]])
    t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
    f = at.function(name, **mode)
    y = f(t)
    (g,) = torch.autograd.grad(y.sum(), t)
    # The native kernels (fast mode) compute e.g. tanh' as 1 - y*y, which loses digits where y -> 1.
    # torch's float64 GELU backward loses ~5 digits in the left tail (absolute error < 1e-15 there).
    exact = f.mode.startswith("exact")
    rtol, atol = (1e-9, 1e-300) if exact else (1e-7, 1e-14)
    # float64 agreement to 1e-9 (the float32 bounds are test_torch_exact's); the catalog's gelu_tanh constant
    # 2*sqrt(2/pi)*0.044715 is rounded to 12 digits, which shows at 1e-10.
    np.testing.assert_allclose(y.detach().numpy(), ref(x), rtol=1e-9, atol=atol)
    np.testing.assert_allclose(g.numpy(), ref.derivative(x), rtol=rtol, atol=atol)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_parity_with_torch_native(name):
    spec = actlab.spec(name)
    params = actlab.get(name).params
    twin = native_twin(spec, params)
    if twin is None:
        assert not spec.frameworks.get("torch", "").startswith("F."), "torch names a function we cannot call"
        return
    x = torch.tensor(smooth_points(spec, params, n=200), dtype=torch.float64)
    for mode in MODES:
        a = x.clone().requires_grad_(True)
        b = x.clone().requires_grad_(True)
        ya, yb = at.function(name, **mode)(a), twin(b)
        ga, gb = torch.autograd.grad(ya.sum(), a)[0], torch.autograd.grad(yb.sum(), b)[0]
        torch.testing.assert_close(ya, yb, rtol=1e-12, atol=1e-14)
        torch.testing.assert_close(ga, gb, rtol=1e-7, atol=1e-14)  # torch's float64 hardsigmoid' rounds 1/6 to float32


@pytest.mark.parametrize("name", OTHER)
def test_other_kinds_match_the_numpy_reference_and_vjp(name):
    ref = actlab.get(name)
    rng = np.random.default_rng(1)
    x = rng.standard_normal((3, 8))
    g = rng.standard_normal(np.shape(ref(x, axis=-1)))
    for mode in (dict(exact=True), dict(exact=False)):
        t = torch.tensor(x, requires_grad=True)
        y = at.function(name, **mode)(t)
        np.testing.assert_allclose(y.detach().numpy(), ref(x, axis=-1), rtol=1e-12, atol=1e-14)
        (gx,) = torch.autograd.grad(y, t, torch.tensor(g))
        np.testing.assert_allclose(gx.numpy(), ref.vjp(x, g, axis=-1), rtol=1e-10, atol=1e-12)
    twin = native_twin(actlab.spec(name), ref.params)
    if twin is not None:
        t = torch.tensor(x)
        torch.testing.assert_close(at.function(name)(t), twin(t))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_gradcheck_and_gradgradcheck_in_float64(name):
    spec = actlab.spec(name)
    x = torch.tensor(smooth_points(spec, actlab.get(name).params, n=12, seed=3), dtype=torch.float64,
                     requires_grad=True)
    assert torch.autograd.gradcheck(at.function(name, exact=False), (x,))
    f = at.function(name, exact=True)  # actlab's Function (or a native kernel already exact)
    assert torch.autograd.gradcheck(f, (x,))
    if f.mode == "native" and name in ("hard_sigmoid", "hard_swish"):
        return  # torch implements no double backward for these natives
    assert torch.autograd.gradgradcheck(f, (x,))


@pytest.mark.parametrize("name", OTHER)
def test_gradcheck_other_kinds(name):
    x = torch.randn(2, 6, dtype=torch.float64, generator=torch.Generator().manual_seed(2), requires_grad=True)
    assert torch.autograd.gradcheck(at.function(name), (x,))


@pytest.mark.parametrize("dtype", ["float16", "bfloat16", "float32"])
@pytest.mark.parametrize("name", ALL)
def test_low_precision_runs_and_matches_float64(name, dtype):
    dt = getattr(torch, dtype)
    spec = actlab.spec(name)
    x64 = torch.tensor(smooth_points(spec, actlab.get(name).params, n=64, scale=2.0)).reshape(8, 8)
    x = x64.to(dt)
    eps = torch.finfo(dt).eps
    for mode in (dict(exact=True), dict()):
        f = at.function(name, **mode)
        t = x.clone().requires_grad_(True)
        y = f(t)
        assert y.dtype == dt
        ref = f(x.double())  # the same (rounded) inputs, evaluated in float64
        torch.testing.assert_close(y.double(), ref, rtol=4 * eps, atol=4 * eps)
        if spec.kind == "elementwise":
            (g,) = torch.autograd.grad(y.sum(), t)
            assert g.dtype == dt
            t64 = x.double().requires_grad_(True)
            (g64,) = torch.autograd.grad(f(t64).sum(), t64)
            torch.testing.assert_close(g.double(), g64, rtol=8 * eps, atol=8 * eps)
