"""Shared by the float32 tests: a float32 result against the float64 result it should be the rounding of."""

from __future__ import annotations

import numpy as np

F32 = np.float32
# The relative distance of the float64 result from a float32 midpoint that excuses a difference: the float32 kernels
# are accurate to 2^-43 relative (the sine polynomial of the periodic ones; the others to a few float64 ULP).
NEAR_BOUNDARY = 2.0**-42


def assert_rounded_once(y32, y64, x):
    """y32 == y64 rounded to float32, except where y64 lies within NEAR_BOUNDARY of a float32 rounding boundary."""
    assert y32.dtype == F32 and y32.shape == x.shape
    y32, y64, x = y32.ravel(), y64.ravel(), x.ravel()
    with np.errstate(over="ignore"):
        want = y64.astype(F32)
    same = (y32 == want) | (np.isnan(y32) & np.isnan(want))
    if same.all():
        return
    bad = np.flatnonzero(~same)
    mid = (y32[bad].astype(np.float64) + want[bad].astype(np.float64)) / 2  # exact for neighbouring float32s
    adjacent = np.nextafter(want[bad], y32[bad]) == y32[bad]
    excused = adjacent & (np.abs(y64[bad] - mid) <= NEAR_BOUNDARY * np.abs(mid))
    worst = bad[~excused][:5]
    assert excused.all(), (
        f"{(~excused).sum()} of {x.size} float32 results differ from the float64 result rounded once; e.g. "
        + "; ".join(f"x={x[i]!r}: float32 {y32[i]!r}, float64 {y64[i]!r}" for i in worst)
    )
