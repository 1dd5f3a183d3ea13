"""actlab.torch's NAU and NMU against the NumPy layers of actlab.nn: same outputs, same gradients, same box."""

from __future__ import annotations

import numpy as np
import pytest
import torch  # a test dependency: its absence must fail, not skip

import actlab.nn as nn
import actlab.torch as at


@pytest.mark.parametrize("name", ["NAU", "NMU"])
def test_torch_unit_matches_numpy_layer(name):
    rng = np.random.default_rng(0)
    X, G = rng.normal(size=(7, 4)), rng.normal(size=(7, 3))
    ref = getattr(nn, name)(4, 3, dtype=np.float64, rng=1, sparsity=0.3)
    mod = getattr(at, name)(4, 3, dtype=torch.float64)
    with torch.no_grad():
        mod.weight.copy_(torch.from_numpy(ref.W.T))
    x = torch.from_numpy(X).requires_grad_(True)
    out = mod(x)
    (out * torch.from_numpy(G)).sum().add(0.3 * mod.penalty()).backward()
    np.testing.assert_allclose(out.detach().numpy(), ref.forward(X), rtol=1e-12)
    np.testing.assert_allclose(x.grad.numpy(), ref.backward(G), rtol=1e-10)
    np.testing.assert_allclose(mod.weight.grad.numpy().T, ref.grads["W"], rtol=1e-10, atol=1e-14)
    assert mod.penalty().item() == pytest.approx(float(ref.penalty()))


@pytest.mark.parametrize("name, low", [("NAU", -1.0), ("NMU", 0.0)])
def test_forward_projects_the_weights_into_the_box(name, low):
    mod = getattr(at, name)(2, 2)
    with torch.no_grad():
        mod.weight.copy_(torch.tensor([[5.0, -5.0], [0.3, 0.7]]))
    mod(torch.ones(1, 2))
    assert mod.weight.min().item() == low and mod.weight.max().item() == 1.0


def test_initialisation_ranges_are_the_papers():
    torch.manual_seed(0)
    nau, nmu = at.NAU(100, 2), at.NMU(100, 2)
    r = min(0.5, np.sqrt(3 * 2 / 102))
    assert nau.weight.abs().max().item() <= r and nau.weight.abs().max().item() > 0.9 * r
    assert 0.25 <= nmu.weight.min().item() and nmu.weight.max().item() <= 0.75
    assert "in_features=100, out_features=2" in repr(nau)
