"""dtypes, shapes and Python scalars for every activation (issue 2, item 2)."""

from __future__ import annotations

import numpy as np
import pytest

import actlab

from _float32_helpers import assert_rounded_once

NAMES = actlab.names()
ELEMENTWISE = actlab.names(kind="elementwise")
FLOATS = [np.float16, np.float32, np.float64]


def _input(a, shape, dtype=np.float64, rng=None):
    rng = rng or np.random.default_rng(0)
    return np.asarray(rng.normal(size=shape) * 3).astype(dtype)  # a 0-d array for shape (), not a scalar


def _shape_for(a) -> tuple[int, ...]:
    return (2, 3, 12)  # 12 splits in halves (GLU) and in groups of 2, 3, 4, 6 (Maxout)


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_float_dtype_and_shape_preserved(name, dtype, rng):
    a = actlab.get(name)
    for shape in [(), (0,), (7,), (2, 3, 4)]:
        x = _input(a, shape, dtype, rng)
        for fn in (a, a.derivative):
            y = fn(x)
            assert isinstance(y, np.ndarray) and y.dtype == dtype and y.shape == shape, (fn, shape, y)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_lower_precision_is_the_float64_result_rounded_once(name, rng):
    """float16 is computed in float64 and rounded; float32 too, or by a float32 kernel that agrees but next to a
    rounding boundary (test_catalog_float32.py)."""
    a = actlab.get(name)
    x32 = _input(a, (200,), np.float32, rng)
    x16 = x32.astype(np.float16)
    for fn in (a, a.derivative):
        assert_rounded_once(fn(x32), fn(x32.astype(np.float64)), x32)
        with np.errstate(over="ignore"):
            np.testing.assert_array_equal(fn(x16), fn(x16.astype(np.float64)).astype(np.float16))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_integers_and_bools_compute_in_float64(name):
    a = actlab.get(name)
    for x in (np.arange(-3, 4), np.arange(-3, 4, dtype=np.int8), np.array([True, False])):
        for fn in (a, a.derivative):
            y = fn(x)
            assert y.dtype == np.float64 and y.shape == x.shape
            np.testing.assert_array_equal(y, fn(x.astype(np.float64)))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_python_scalars_and_lists(name):
    a = actlab.get(name)
    for fn in (a, a.derivative):
        y = fn(0.75)
        assert np.ndim(y) == 0 and np.asarray(y).dtype == np.float64
        assert float(y) == float(fn(np.array([0.75]))[0])
        assert float(fn(2)) == float(fn(2.0))
        np.testing.assert_array_equal(fn([0.5, -1.0]), fn(np.array([0.5, -1.0])))


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_non_contiguous_views_and_inputs_untouched(name, rng):
    a = actlab.get(name)
    base = _input(a, (6, 8), np.float64, rng)
    keep = base.copy()
    view = base[::2, ::3]
    for fn in (a, a.derivative):
        np.testing.assert_array_equal(fn(view), fn(np.ascontiguousarray(view)))
        np.testing.assert_array_equal(base, keep)  # no in-place surprises


@pytest.mark.parametrize("dtype", FLOATS, ids=lambda d: d.__name__)
@pytest.mark.parametrize("name", [n for n in NAMES if actlab.spec(n).kind != "elementwise"])
def test_vector_kinds_preserve_dtype_and_batch_shape(name, dtype, rng):
    a = actlab.get(name)
    x = _input(a, _shape_for(a), dtype, rng)
    y = a(x)
    assert y.dtype == dtype and y.shape[:-1] == x.shape[:-1]
    g = a.vjp(x, np.ones_like(y))
    assert g.dtype == dtype and g.shape == x.shape
    y0 = a(x, axis=0)
    assert y0.shape[1:] == x.shape[1:]
    assert a.vjp(x, np.ones_like(y0), axis=0).shape == x.shape


def test_non_numeric_input_is_a_clear_error():
    with pytest.raises(TypeError, match="real numbers"):
        actlab.get("relu")(np.array(["a", "b"]))
