"""The ReLU family: ReLU, Leaky ReLU, PReLU, ReLU6, capped ReLU, RReLU."""

from __future__ import annotations

import math

import numpy as np

from actlab.registry import register
from actlab.spec import Activation, Param, Properties

RELU = register(
    Activation(
        name="relu",
        summary="max(0, x): cheap, sparse, no saturation for x > 0; units can die.",
        forward=lambda x: np.where(x > 0, x, np.where(np.isnan(x), x, 0.0)),
        derivative=lambda x: np.where(np.isnan(x), np.nan, (x > 0).astype(np.float64)),
        formula="Max(0, x)",
        kinks=(0.0,),
        properties=Properties(range=(0.0, math.inf), monotonic=True, zero_centered=False, smooth=0,
                              saturates="left", sparse=True),
        notes="relu'(0) = 0, as in JAX and PyTorch.",
        frameworks={"torch": "F.relu", "keras": "relu", "jax": "nn.relu"},
        reference="Nair & Hinton 2010; Glorot, Bordes & Bengio 2011",
    )
)

LEAKY_RELU = register(
    Activation(
        name="leaky_relu",
        aliases=("lrelu", "leakyrelu"),
        summary="max(alpha*x, x) for 0 <= alpha < 1: a small slope for x < 0 keeps units alive.",
        forward=lambda x, alpha: np.where(x > 0, x, alpha * x),
        derivative=lambda x, alpha: np.where(np.isnan(x), np.nan, np.where(x > 0, 1.0, alpha)),
        formula="Piecewise((alpha*x, x <= 0), (x, True))",
        params=(Param("alpha", 0.01, 0.0, 1.0, high_open=True, doc="slope for x < 0"),),
        kinks=(0.0,),
        properties=lambda p: Properties(range=(-math.inf if p["alpha"] > 0 else 0.0, math.inf), monotonic=True,
                                        zero_centered=False, smooth=0,
                                        saturates="none" if p["alpha"] > 0 else "left", sparse=p["alpha"] == 0),
        notes="max(alpha*x, x), switching at 0 (seed 003 writes max(-ax, x) and switches at 1: both wrong). "
              "leaky_relu'(0) = alpha.",
        frameworks={"torch": "F.leaky_relu", "keras": "leaky_relu", "jax": "nn.leaky_relu"},
        reference="Maas, Hannun & Ng 2013",
    )
)
