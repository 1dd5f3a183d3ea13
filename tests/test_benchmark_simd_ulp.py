"""benchmarks/simd_ulp.py: its ULP measure, and actlab's float32 tanh, arctan and sine on a strided sweep of every
float32 bit pattern (the full sweep, 4.3e9 inputs per function, is the benchmark's; docs/catalog.md has its table)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import simd_ulp  # noqa: E402


def test_ulp_errors_counts_float32_spacings_of_the_reference():
    ref = np.array([1.0, 1.0, 2.0**-140, np.inf, np.nan, 0.75])
    y = np.array([np.nextafter(np.float32(1), np.float32(2)), np.float32(1), np.float32(2.0**-140) * 3,
                  np.float32(np.inf), np.float32(np.nan), np.float32(0.75) + np.float32(2.0**-23)], np.float32)
    err = simd_ulp.ulp_errors(y, ref)
    np.testing.assert_allclose(err, [1.0, 0.0, 2.0 * 2.0**-140 / 2.0**-149, 0.0, 0.0, 2.0])


@pytest.mark.parametrize("name", sorted(simd_ulp.CATALOG))
def test_actlab_float32_is_within_half_an_ulp_on_a_strided_sweep_of_every_bit_pattern(name):
    r = simd_ulp.scan(name, stride=65537)  # ~65,000 inputs, every exponent of both signs
    assert r["inputs"] > 60_000
    assert r["actlab"]["max"] <= 0.5 + 1e-6 and r["actlab"]["over1"] == 0, r["actlab"]
    assert r["numpy"]["max"] >= r["actlab"]["max"]  # the float32 ufunc is the one not correctly rounded


def test_bad_arguments_exit_with_a_message(capsys):
    with pytest.raises(SystemExit) as e:
        simd_ulp.main(["--functions", "cosh"])
    assert e.value.code == 2 and "functions must be among" in capsys.readouterr().err
