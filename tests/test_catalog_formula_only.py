"""One declaration is enough: an activation declared with its formula only, no kernel written for it, gets a stable
float64 forward and derivative, the float32 path, a torch layer and a lab card."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import torch

import actlab
import actlab.torch
from actlab import Activation, Param, Properties
from actlab.catalog import smooth
from actlab.core import registry
from actlab.kernels.generated import FormulaKernel
from actlab.kernels.numpy_exact import EXACT
from actlab.kernels.numpy_float32 import FLOAT32
from actlab.report.lab import catalog_data
from actlab.report.lab.pages.catalog import _card

# A smooth clip to [0, 1]: softplus(beta x)/beta - softplus(beta (x - 1))/beta, written as a textbook would.
SOFTCLIP = Activation(
    name="test_softclip",
    formula="log(1 + exp(beta*x))/beta - log(1 + exp(beta*(x - 1)))/beta",
    params=(Param("beta", 2.0, 0.0, low_open=True, doc="sharpness"),),
    properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="both", sparse=False),
    summary="a smooth clip to [0, 1]",
    reference="a declaration written for this test",
)
XS = np.array([-1000.0, -30.0, -1.0, -0.25, 0.0, 0.5, 1.0, 1.5, 3.0, 40.0, 710.0, 1000.0])


def _mp_softclip(t, beta):
    return (mpmath.log1p(mpmath.exp(beta * t)) - mpmath.log1p(mpmath.exp(beta * (t - 1)))) / beta


def _reference(beta: float) -> tuple[np.ndarray, np.ndarray]:
    with mpmath.workdps(60):
        f = [float(_mp_softclip(mpmath.mpf(t), beta)) for t in XS]
        d = [float(mpmath.diff(lambda u: _mp_softclip(u, beta), mpmath.mpf(t))) for t in XS]
    return np.array(f), np.array(d)


@pytest.fixture
def softclip():
    actlab.register(SOFTCLIP)
    catalog_data.clear_cache()
    yield actlab.get("test_softclip")
    registry.unregister("test_softclip")
    catalog_data.clear_cache()


def test_registration_binds_kernels_generated_from_the_formula(softclip):
    assert SOFTCLIP.forward is None and SOFTCLIP.derivative is None  # the declaration has none
    assert isinstance(softclip.spec.forward, FormulaKernel) and isinstance(softclip.spec.derivative, FormulaKernel)


@pytest.mark.parametrize("beta", [2.0, 0.5])
def test_generated_forward_and_derivative_match_mpmath_without_overflow(softclip, beta):
    # log(1 + exp(2000)) is inf in textbook code: the stable rewrite (softplus) keeps every value finite
    f_ref, d_ref = _reference(beta)
    a = actlab.get("test_softclip", beta=beta)
    np.testing.assert_allclose(a(XS), f_ref, rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(a.derivative(XS), d_ref, rtol=1e-9, atol=1e-15)


def test_generated_kernels_serve_float32_input(softclip):
    x32 = XS.astype(np.float32)
    y = softclip(x32)
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, softclip(XS).astype(np.float32))


def test_formula_only_declaration_gets_a_torch_layer(softclip):
    layer = actlab.torch.module("test_softclip")
    x = torch.tensor(XS[1:-2], dtype=torch.float64, requires_grad=True)
    y = layer(x)
    y.sum().backward()
    np.testing.assert_allclose(y.detach().numpy(), softclip(XS[1:-2]), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(x.grad.numpy(), softclip.derivative(XS[1:-2]), rtol=1e-9, atol=1e-15)


def test_formula_only_declaration_gets_a_lab_card(softclip):
    entry = catalog_data.entry("test_softclip")
    assert entry.formula_mathml and entry.derivative_mathml and entry.js_f and entry.has_plot
    html = _card(entry, None)
    assert 'id="act-test_softclip"' in html and "a smooth clip to [0, 1]" in html


def test_catalog_entries_are_declarations_and_the_registry_binds_the_hand_written_kernels():
    assert smooth.MISH.forward is None and smooth.MISH.formula == "x*tanh(softplus(x))"
    bound = actlab.spec("mish")
    assert bound.forward is EXACT["mish"].forward and bound.forward32 is FLOAT32["mish"].forward


def test_every_hand_written_kernel_belongs_to_a_declared_activation():
    declared = {d.name for d in actlab.catalog.DECLARATIONS}
    assert set(EXACT) <= declared and set(FLOAT32) <= declared


def test_non_elementwise_declaration_without_a_kernel_is_refused():
    vector = Activation(name="test_vector_only", formula="x", kind="vector", reference="test",
                        properties=SOFTCLIP.properties)
    with pytest.raises(actlab.RegistrationError, match="hand-written"):
        actlab.register(vector)
    assert "test_vector_only" not in actlab.names()
