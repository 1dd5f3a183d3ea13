"""The hand-written NumPy kernels, one module per catalog family; importing the package registers them all."""

from actlab.kernels.numpy import (  # noqa: F401
    classic,
    relu,
    exponential,
    smooth,
    hard,
    shrink,
    other,
    periodic,
    vector,
    gated,
    pooling,
)
