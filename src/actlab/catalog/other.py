"""Activations the field uses that no big framework ships: bent identity, ISRU, arctan, Gaussian, Elliott, SQNL."""

from __future__ import annotations

import math

from actlab.core.spec import Activation, Param, Properties


BENT_IDENTITY = Activation(
    name="bent_identity",
    formula="(sqrt(x**2 + 1) - 1)/2 + x",
    aliases=("bentidentity",),
    summary="(sqrt(x^2 + 1) - 1)/2 + x: a smooth, unbounded identity bent by a hyperbola; slope in (1/2, 3/2).",
    properties=Properties(range=(-math.inf, math.inf), monotonic=True, zero_centered=False, smooth=math.inf,
                          saturates="none", sparse=False),
    notes="Rewritten to avoid the two cancellations of the textbook form and the overflow of x^2 at 1e155.",
    frameworks={},
    reference="(folklore; listed in Wikipedia's activation table)",
)


ISRU = Activation(
    name="isru",
    formula="x/sqrt(1 + alpha*x**2)",
    aliases=("inverse_square_root_unit",),
    summary="x/sqrt(1 + alpha x^2): a cheap sigmoid-shaped squashing to (-1/sqrt(alpha), 1/sqrt(alpha)).",
    params=(Param("alpha", 1.0, 0.0, low_open=True, doc="saturation at +-1/sqrt(alpha)"),),
    properties=lambda p: Properties(range=(-1 / math.sqrt(p["alpha"]), 1 / math.sqrt(p["alpha"])),
                                    monotonic=True, zero_centered=True, smooth=math.inf, saturates="both",
                                    sparse=False),
    notes="x/sqrt(1 + (sqrt(alpha) x)^2) with x clipped where the result has saturated: no overflow of x^2; "
          "isru(+-inf) = +-1/sqrt(alpha). "
          "isru'(x) = (1 + alpha x^2)^(-3/2).",
    frameworks={},
    reference="Carlile et al. 2017, Improving Deep Learning by Inverse Square Root Linear Units, "
              "arXiv:1710.09967",
)


ARCTAN = Activation(
    name="arctan",
    formula="atan(x)",
    aliases=("atan", "arc_tangent"),
    summary="arctan(x): a sigmoid-shaped squashing to (-pi/2, pi/2) with slowly (1/x^2) vanishing gradient.",
    properties=Properties(range=(-math.pi / 2, math.pi / 2), monotonic=True, zero_centered=True,
                          smooth=math.inf, saturates="both", sparse=False),
    notes="arctan'(x) = 1/(1 + x^2), computed as (1/x)/x beyond 1e150 so that x^2 does not overflow.",
    frameworks={"torch": "torch.atan", "jax": "jnp.arctan"},
    reference="(textbook)",
)


GAUSSIAN = Activation(
    name="gaussian",
    formula="exp(-x**2)",
    aliases=("gauss", "gaussian_rbf"),
    summary="exp(-x^2): a radial-basis bump, 1 at 0, vanishing on both sides.",
    properties=Properties(range=(0.0, 1.0), monotonic=False, zero_centered=False, smooth=math.inf,
                          saturates="both", sparse=False),
    notes="x^2 is computed exactly (Dekker), so exp(-x^2) is accurate to the last bit out to x = 27.",
    frameworks={},
    reference="Broomhead & Lowe 1988, Radial Basis Functions",
)


ELLIOTT = Activation(
    name="elliott",
    formula="x/(2*(1 + Abs(x))) + 1/2",
    aliases=("elliot", "elliott_sigmoid"),
    summary="x/(2(1 + |x|)) + 1/2: softsign rescaled to (0, 1); a sigmoid without exp.",
    kinks=(0.0,),
    properties=Properties(range=(0.0, 1.0), monotonic=True, zero_centered=False, smooth=1, saturates="both",
                          sparse=False),
    notes="(softsign(x) + 1)/2; FANN's 'Elliot' activation. The symmetric variant is softsign itself.",
    frameworks={},
    reference="Elliott 1993, A Better Activation Function for Artificial Neural Networks, ISR TR 93-8",
)


SQNL = Activation(
    name="sqnl",
    formula="Piecewise((-1, x < -2), (x + x**2/4, x < 0), (x - x**2/4, x <= 2), (1, True))",
    aliases=("square_nonlinearity",),
    summary="x - x|x|/4 on [-2, 2], +-1 outside: a piecewise-quadratic tanh.",
    kinks=(-2.0, 2.0),
    properties=Properties(range=(-1.0, 1.0), monotonic=True, zero_centered=True, smooth=1, saturates="both",
                          sparse=False),
    notes="C^1 (the second derivative jumps at 0 and +-2); derivative 0 at +-2.",
    frameworks={},
    reference="Wuraola & Patel 2018, SQNL: A New Computationally Efficient Activation Function, IJCNN",
)
