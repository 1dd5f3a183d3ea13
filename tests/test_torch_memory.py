"""What the backward pass keeps: the input only (fused), one bit (memory="bit"), b bits (memory="fewbit")."""

from __future__ import annotations

import numpy as np
import pytest

import torch  # a test dependency: its absence must fail, not skip

import actlab  # noqa: E402
import actlab.torch as at  # noqa: E402
from actlab.torch.fewbit import rms_error  # noqa: E402
from actlab.torch.kernels import KERNELS  # noqa: E402
from actlab.torch.packing import pack_bits, pack_codes, unpack_bits, unpack_codes  # noqa: E402

N = 4096 + 3  # not a multiple of 8: the padding path
BIT = [n for n in actlab.names("elementwise") if KERNELS.get(n) is not None and KERNELS[n].mask is not None
       and not actlab.spec(n).random]


@pytest.mark.parametrize("n", [1, 7, 8, 9, 1000, 12345])
def test_bit_and_code_packing_round_trip(n):
    g = torch.Generator().manual_seed(n)
    m = torch.rand(n, generator=g) > 0.5
    assert torch.equal(unpack_bits(pack_bits(m), n), m)
    for bits in (1, 3, 8):
        c = torch.randint(0, 2**bits, (n,), generator=g)
        assert torch.equal(unpack_codes(pack_codes(c, bits), n), c)


def test_the_issue_list_of_piecewise_linear_activations_takes_memory_bit():
    for name in ("relu", "leaky_relu", "relu6", "hard_tanh", "binary_step", "threshold"):
        if name not in actlab.names():
            pytest.fail(f"{name} missing from the catalog")
        assert name in BIT


@pytest.mark.parametrize("name", BIT)
def test_memory_bit_saves_at_most_one_bit_per_element_and_the_gradient_is_exact(name):
    spec = actlab.spec(name)
    x = torch.randn(N, dtype=torch.float64) * 4
    for k in actlab.get(name).kinks:
        x[(x - k).abs() < 1e-3] += 0.01
    f = at.function(name, memory="bit")
    assert at.saved_bytes(f, x) <= (N + 7) // 8
    on, off = KERNELS[name].slopes(**actlab.get(name).params)
    if on != off:  # a constant slope (identity, step): the full modes need not save anything either
        assert at.saved_bytes(at.function(name, memory="full", exact=True), x) >= N  # what bit mode saves us
    a = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(a), a, torch.ones_like(a))
    np.testing.assert_array_equal(g.numpy(), actlab.get(name).derivative(x.numpy()))
    assert spec.kind == "elementwise"


@pytest.mark.parametrize("name", [n for n in ("bent_identity", "squareplus", "sigmoid", "identity")
                                  if n in actlab.names()])
def test_fused_function_saves_no_more_than_its_input(name):
    x = torch.randn(N)
    assert at.saved_bytes(at.function(name, exact=False), x) <= x.numel() * x.element_size()
    assert at.saved_bytes(at.function(name, exact=True), x) <= x.numel() * x.element_size()


@pytest.mark.parametrize("bits", [1, 3, 4, 8])
def test_fewbit_saves_b_bits_per_element(bits):
    x = torch.randn(N)
    f = at.function("sigmoid", memory="fewbit", bits=bits)
    assert at.saved_bytes(f, x) == bits * ((N + 7) // 8)


def test_fewbit_derivative_error_falls_with_bits_and_the_gradient_follows_the_quantizer():
    errors = [rms_error("sigmoid", {}, b, samples=20_000) for b in range(1, 9)]
    assert all(b < a for a, b in zip(errors, errors[1:]))
    assert errors[3] < 0.01 and errors[7] < 1e-3  # 4 bits: within 1% of sigmoid's peak slope 1/4... scaled
    x = torch.randn(2000, dtype=torch.float64, requires_grad=True)
    y = at.function("sigmoid", memory="fewbit", bits=8)(x)
    torch.testing.assert_close(y, torch.sigmoid(x))
    (g,) = torch.autograd.grad(y.sum(), x)
    exact = actlab.get("sigmoid").derivative(x.detach().numpy())
    assert np.sqrt(np.mean((g.numpy() - exact) ** 2)) < 2e-3


def test_fewbit_trains_a_small_network():
    torch.manual_seed(0)
    X = torch.randn(256, 4)
    y = (X[:, :1] * X[:, 1:2] > 0).float()
    net = torch.nn.Sequential(torch.nn.Linear(4, 32), at.module("sigmoid", memory="fewbit", bits=3),
                              torch.nn.Linear(32, 1))
    opt = torch.optim.Adam(net.parameters(), lr=0.03)
    first = None
    for _ in range(150):
        loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X), y)
        first = first if first is not None else loss.detach().item()
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.detach().item() < 0.5 * first
