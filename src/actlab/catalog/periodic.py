"""Periodic activations: Snake (x + sin^2) and the sinusoid of SIREN."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


SNAKE = Activation(
    name="snake",
    formula="x + sin(alpha*x)**2/alpha",
    summary="x + sin^2(alpha x)/alpha: monotonic, with a periodic ripple that lets networks extrapolate periodicity.",
    params=(Param("alpha", 1.0, 0.0, low_open=True, learnable=True, doc="frequency of the ripple"),),
    properties=Properties(range=(-math.inf, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="none", sparse=False),
    notes="snake'(x) = 1 + sin(2 alpha x) >= 0, zero at alpha x = -pi/4 + k pi; computed as 2 sin^2(alpha x + "
          "pi/4). alpha is learnable (one per channel in the paper).",
    frameworks={},
    reference="Liu Ziyin, Hartwig & Ueda 2020, Neural Networks Fail to Learn Periodic Functions and How to Fix "
              "It, arXiv:2006.08195",
)


SINUSOID = Activation(
    name="sinusoid",
    formula="sin(w0*x)",
    aliases=("sine", "sin", "siren"),
    summary="sin(w0 x): the periodic activation of SIREN implicit neural representations.",
    params=(Param("w0", 1.0, 0.0, low_open=True, doc="frequency (SIREN uses 30 in its first layer)"),),
    properties=Properties(range=(-1.0, 1.0), monotonic=False, zero_centered=True, smooth=math.inf,
                          saturates="none", sparse=False),
    notes="sin(+-inf) is NaN (no limit). Default w0 = 1, the plain sine; SIREN's first layer uses w0 = 30 "
          "together with its special initialisation.",
    frameworks={"torch": "torch.sin", "jax": "jnp.sin"},
    reference="Sitzmann et al. 2020, Implicit Neural Representations with Periodic Activation Functions, "
              "arXiv:2006.09661",
)
