"""The catalog: importing this package registers every built-in activation, one family per module.

Registration order is the order of ``actlab.names()``: the seeds' classics first, then the families.
"""

from actlab.catalog import (  # noqa: F401
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
