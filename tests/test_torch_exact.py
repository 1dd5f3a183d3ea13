"""exact=True meets the catalog's float32 bounds (1 ULP forward, 2 ULP gradient) for every elementwise activation."""

from __future__ import annotations

import numpy as np
import pytest

import torch  # a test dependency: its absence must fail, not skip

import actlab  # noqa: E402
import actlab.torch as at  # noqa: E402

from _torch_helpers import ulp_error  # noqa: E402

ELEMENTWISE = [s.name for s in actlab.specs("elementwise")]


def float32_points(kinks=()):
    f32 = np.finfo(np.float32)
    mags = np.concatenate([np.logspace(-45, 38.5, 1500), np.linspace(0, 30, 1201), [1.0, 2.0, 3.0, 6.0, 16.6,
                                                                                      20.0, 88.7, 89.5, 103.0]])
    specials = [0.0, f32.max, f32.tiny, f32.smallest_subnormal, np.inf, np.nan]
    x = np.concatenate([mags, -mags, specials, [-s for s in specials[:-1]], list(kinks)])
    x = x[np.isfinite(x.astype(np.float32)) | ~np.isfinite(x)]
    return np.unique(x.astype(np.float32))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_exact_mode_is_within_1_ulp_forward_and_2_ulp_gradient_in_float32(name):
    ref = actlab.get(name)
    x32 = float32_points(ref.kinks)
    x64 = x32.astype(np.float64)
    t = torch.tensor(x32, requires_grad=True)
    f = at.function(name, exact=True)
    y = f(t)
    (g,) = torch.autograd.grad(y, t, torch.ones_like(y))
    fwd = ulp_error(y.detach().numpy(), ref(x64))
    # The gradient at a NaN input is torch's business (native piecewise-linear backward passes g through);
    # the forward pass propagates NaN everywhere.
    der = np.where(np.isnan(x64), 0.0, ulp_error(g.numpy(), ref.derivative(x64)))
    worst_f, worst_d = np.argmax(fwd), np.argmax(der)
    assert fwd.max() <= 1.0, f"forward {fwd.max():.3g} ULP at x={x32[worst_f]!r}"
    assert der.max() <= 2.0, f"gradient {der.max():.3g} ULP at x={x32[worst_d]!r}"


@pytest.mark.parametrize("name", ["silu", "gelu", "mish", "sigmoid", "softplus"])
def test_exact_mode_fixes_what_torch_gets_wrong(name):
    if name not in actlab.names():
        pytest.fail(f"{name} is missing from the catalog")
    x = torch.tensor([-float("inf"), -100.0, -20.0, 20.0, 40.0], requires_grad=True)
    y = at.function(name, exact=True)(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    ref = actlab.get(name)
    x64 = x.detach().double().numpy()
    assert not torch.isnan(y).any() and not torch.isnan(g).any()
    assert ulp_error(y.detach().numpy(), ref(x64)).max() <= 1
    assert ulp_error(g.numpy(), ref.derivative(x64)).max() <= 2
