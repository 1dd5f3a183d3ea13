"""The compiled passes (actlab.torch.compiled): same values as the NumPy reference and the chunked kernels, exact mode
still within 1 ULP / 2 ULP, input-only saved memory, double backward, a clean fallback, never under someone's trace.

The suite's other tests run small tensors, which stay below ``min_numel`` and never compile; here ``mode="always"``
compiles them. Inductor builds a C++ kernel per (kernel, parameters, dtypes, pass): ~1 s each once its caches are
warm, so the every-activation tests are marked slow.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import torch  # a test dependency: its absence must fail, not skip

import actlab  # noqa: E402
import actlab.torch as at  # noqa: E402
from actlab.torch import compiled  # noqa: E402
from actlab.torch.functional import kernel_for  # noqa: E402

from _float32_helpers import assert_rounded_once  # noqa: E402
from _torch_helpers import smooth_points, ulp_error  # noqa: E402
from test_torch_exact import float32_points  # noqa: E402

ELEMENTWISE = [s.name for s in actlab.specs("elementwise")]
FUSED = [n for n in ELEMENTWISE if kernel_for(actlab.spec(n)).native is None]  # actlab's Function is the default
GATED = [n for n in ("glu", "swiglu", "geglu", "reglu") if kernel_for(actlab.spec(n)).gate is not None]
HAS_COMPILER = compiled._device_ok("cpu")
needs_compiler = pytest.mark.skipif(not HAS_COMPILER, reason="no C++ compiler for Inductor: the fallback is tested")


@pytest.fixture
def always():
    old = compiled.configure(mode="always")
    yield
    compiled.configure(**old)


def grad_of(f, x, g=None):
    t = x.clone().requires_grad_(True)
    y = f(t)
    (gx,) = torch.autograd.grad(y, t, torch.ones_like(y) if g is None else g)
    return y.detach(), gx


@needs_compiler
def test_large_tensors_compile_by_default_and_small_ones_do_not():
    assert compiled.configure()["mode"] in ("auto", "always")
    f = at.function("bent_identity", exact=False)
    before = compiled.cache_info()["compiled"]
    grad_of(f, torch.randn(1000))
    assert compiled.cache_info()["compiled"] == before
    big = torch.randn(compiled.configure()["min_numel"])
    y, g = grad_of(f, big)
    assert compiled.cache_info()["compiled"] >= before + 2 or before >= 2  # forward + backward (maybe cached)
    old = compiled.configure(mode="off")
    try:
        y0, g0 = grad_of(f, big)
    finally:
        compiled.configure(**old)
    torch.testing.assert_close(y, y0, rtol=4e-7, atol=0)
    torch.testing.assert_close(g, g0, rtol=4e-7, atol=0)


@pytest.mark.slow
@needs_compiler
@pytest.mark.parametrize("name", ELEMENTWISE)
def test_compiled_exact_mode_is_within_1_ulp_forward_and_2_ulp_gradient_in_float32(name, always):
    ref = actlab.get(name)
    x32 = float32_points(ref.kinks)
    x64 = x32.astype(np.float64)
    y, g = grad_of(at.function(name, exact=True), torch.tensor(x32))
    fwd = ulp_error(y.numpy(), ref(x64))
    der = np.where(np.isnan(x64), 0.0, ulp_error(g.numpy(), ref.derivative(x64)))
    assert fwd.max() <= 1.0, f"forward {fwd.max():.3g} ULP at x={x32[np.argmax(fwd)]!r}"
    assert der.max() <= 2.0, f"gradient {der.max():.3g} ULP at x={x32[np.argmax(der)]!r}"


@pytest.mark.slow
@needs_compiler
@pytest.mark.parametrize("name", FUSED)
def test_compiled_float32_function_is_as_accurate_as_the_chunked_kernels(name, always):
    """The fast mode's float32 loop against the same kernels run op by op, both measured against the float64
    reference: at most 8 ULP worse (snake's slope near its roots: 6, through Sleef's sin - Inductor builds without
    -ffast-math, but its vector exp/sin are Sleef's, not torch's), where results are normal numbers and |x| <= 1e4
    (subnormal results and sin of huge arguments, where neither mode promises ULPs); the same NaN/inf pattern
    everywhere."""
    ref = actlab.get(name)
    x32 = float32_points(ref.kinks)
    x = torch.tensor(x32)
    f = at.function(name, exact=False)
    y, g = grad_of(f, x)
    compiled.configure(mode="off")
    y0, g0 = grad_of(f, x)
    with np.errstate(all="ignore"):
        refs = (ref(x32.astype(np.float64)), ref.derivative(x32.astype(np.float64)))
    tiny = np.finfo(np.float32).tiny
    for a, b, r in ((y, y0, refs[0]), (g, g0, refs[1])):
        assert torch.equal(torch.isnan(a), torch.isnan(b)) and torch.equal(torch.isinf(a), torch.isinf(b))
        keep = ((np.abs(r) >= tiny) | (r == 0)) & (np.abs(x32) <= 1e4)
        worse = ulp_error(a.numpy()[keep], r[keep]) - ulp_error(b.numpy()[keep], r[keep])
        assert worse.max() <= 8, f"{worse.max():.3g} ULP worse at x={x32[keep][np.argmax(worse)]!r}"


@needs_compiler
@pytest.mark.parametrize("name", ["bent_identity", "snake", "elu", "swish"])
def test_compiled_passes_equal_the_numpy_reference_in_float64(name, always):
    ref = actlab.get(name)
    x = smooth_points(actlab.spec(name), ref.params, n=257)
    for mode in (dict(exact=True), dict(exact=False)):
        y, g = grad_of(at.function(name, **mode), torch.tensor(x))
        np.testing.assert_allclose(y.numpy(), ref(x), rtol=1e-9, atol=1e-300)
        np.testing.assert_allclose(g.numpy(), ref.derivative(x), rtol=1e-9, atol=1e-300)


@needs_compiler
def test_compiled_expm1_keeps_its_digits_near_zero(always):
    """Inductor's vector expm1 is exp(x) - 1 (all digits lost at x = -1e-18); the graphs decompose it first."""
    x = torch.tensor([-1.7344407e-18, -3e-10, -1e-5, -0.5, -30.0, -float("inf"), float("nan")])
    y, g = grad_of(at.function("elu", exact=True), x)
    ref = actlab.get("elu")
    assert ulp_error(y.numpy(), ref(x.double().numpy())).max() <= 1
    assert ulp_error(g.numpy(), ref.derivative(x.double().numpy())).max() <= 2


@needs_compiler
@pytest.mark.parametrize("name", ["bent_identity", "squareplus"])
def test_compiled_function_saves_only_its_input_and_double_backward_works(name, always):
    x = torch.randn(1000, dtype=torch.float64)
    f = at.function(name, exact=False)
    assert at.saved_bytes(f, x) == x.numel() * x.element_size()
    t = x[:12].clone().requires_grad_(True)
    assert torch.autograd.gradcheck(f, (t,))
    assert torch.autograd.gradgradcheck(f, (t,))


@needs_compiler
@pytest.mark.parametrize("compile_mode", ["always", "off"])
def test_arctan_float32_forward_is_the_polynomial_loop_rounded_once(compile_mode):
    """Exact float32 arctan is atan rounded once on 2^20 random bit patterns (every exponent, subnormals, +-inf, NaN)
    and a sweep over its reduction points: compiled, actlab's float64 polynomial loop; not compiled, float64 atan.
    The default (exact=False) is torch.atan itself, under autograd, in every compile mode."""
    old = compiled.configure(mode=compile_mode)
    try:
        rng = np.random.default_rng(7)
        bits = rng.integers(0, 2**32, size=2**20, dtype=np.uint64).astype(np.uint32).view(np.float32)
        sweep = np.linspace(-6, 6, 2**18, dtype=np.float32)
        special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.41421357, 2.4142137, 1e-45, 3.4e38],
                           np.float32)
        x = np.concatenate([bits, sweep, special])
        x[np.isnan(x)] = np.nan
        want = np.arctan(x.astype(np.float64))
        for exact in (False, True):
            y, g = grad_of(at.function("arctan", exact=exact), torch.from_numpy(x.copy()))
            if exact:
                assert_rounded_once(y.numpy(), want, x)
            else:
                np.testing.assert_array_equal(y.numpy(), torch.atan(torch.from_numpy(x)).numpy())
            d = actlab.get("arctan").derivative(x.astype(np.float64))
            if exact:
                assert_rounded_once(g.numpy(), d, x)
            else:  # 1/(1 + x*x) in float32: x*x overflows beyond 1.8e19, a gradient below 3e-39 becomes 0
                np.testing.assert_allclose(g.double().numpy(), d, rtol=3e-7, atol=1e-38)
        x64 = torch.from_numpy(x.astype(np.float64))
        y64, _ = grad_of(at.function("arctan"), x64)
        assert torch.equal(y64, torch.atan(x64)) or np.array_equal(y64.numpy(), torch.atan(x64).numpy(),
                                                                    equal_nan=True)
    finally:
        compiled.configure(**old)


# --- gated kinds -----------------------------------------------------------------------------------------------
@needs_compiler
@pytest.mark.parametrize("name", GATED)
@pytest.mark.parametrize("dim", [-1, 0])
def test_compiled_gated_function_equals_the_numpy_forward_and_vjp(name, dim, always):
    ref = actlab.get(name)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((6, 4, 10)) * 2
    out = ref(x, axis=dim)
    gy = rng.standard_normal(out.shape)
    f = at.function(name, exact=True, dim=dim)
    for dtype, rtol in ((torch.float64, 1e-12), (torch.float32, 2e-6)):
        y, gx = grad_of(f, torch.tensor(x, dtype=dtype), torch.tensor(gy, dtype=dtype))
        np.testing.assert_allclose(y.double().numpy(), out, rtol=rtol, atol=rtol)
        np.testing.assert_allclose(gx.double().numpy(), ref.vjp(x, gy, axis=dim), rtol=rtol, atol=rtol)
    if kernel_for(actlab.spec(name)).native is None:  # the fast mode is the Gated Function too
        y, gx = grad_of(at.function(name, dim=dim), torch.tensor(x))
        np.testing.assert_allclose(gx.numpy(), ref.vjp(x, gy * 0 + 1, axis=dim), rtol=1e-12, atol=1e-12)


@needs_compiler
@pytest.mark.parametrize("name", GATED)
def test_compiled_gated_function_saves_only_its_input_and_double_backward_works(name, always):
    x = torch.randn(8, 16, dtype=torch.float64)
    f = at.function(name, exact=True)
    assert at.saved_bytes(f, x) == x.numel() * x.element_size()
    naive = kernel_for(actlab.spec(name)).forward
    assert at.saved_bytes(naive, x) == 1.5 * x.numel() * x.element_size()  # what the composition keeps
    t = x[:2, :6].clone().requires_grad_(True)
    assert torch.autograd.gradcheck(f, (t,))
    assert torch.autograd.gradgradcheck(f, (t,))


def test_gated_odd_size_is_a_clear_error_not_a_compile_failure(always):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="two halves along dim -1; got size 5, which is odd"):
            at.function("swiglu")(torch.randn(3, 5))


# --- when not to compile, and the fallback --------------------------------------------------------------------
def test_a_failing_compiler_warns_and_falls_back_to_the_chunked_kernels(always, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("no compiler here")

    monkeypatch.setattr(torch, "compile", broken)
    monkeypatch.setitem(compiled._usable, "cpu", True)
    f = at.function("isru", alpha=0.37)  # parameters no other test uses: a fresh cache entry
    x = torch.randn(300)
    with pytest.warns(UserWarning, match="compiling a fused kernel failed.*no compiler here"):
        y, g = grad_of(f, x)
    failed = compiled.cache_info()["failed"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no second attempt, no second warning
        y2, g2 = grad_of(f, x)
    assert compiled.cache_info()["failed"] == failed
    compiled.configure(mode="off")
    y0, g0 = grad_of(f, x)
    assert torch.equal(y, y0) and torch.equal(g, g0) and torch.equal(y2, y0) and torch.equal(g2, g0)


def test_without_a_compiler_nothing_is_compiled(always, monkeypatch):
    monkeypatch.setitem(compiled._usable, "cpu", False)
    before = compiled.cache_info()
    x = torch.randn(100, dtype=torch.float64)
    y, g = grad_of(at.function("bent_identity", exact=True), x)
    assert compiled.cache_info() == before
    np.testing.assert_allclose(g.numpy(), actlab.get("bent_identity").derivative(x.numpy()), rtol=1e-12)


def test_under_someone_elses_trace_the_plain_ops_are_traced(always):
    from torch.fx.experimental.proxy_tensor import make_fx

    f = at.function("bent_identity", exact=False)
    before = compiled.cache_info()
    graph = make_fx(lambda t: f(t))(torch.randn(5000))
    assert compiled.cache_info() == before
    ops = {str(n.target) for n in graph.graph.nodes if n.op == "call_function"}
    assert "aten.hypot.default" in ops  # the kernel's own ops, one pass over the whole tensor (no chunk loop)
    assert sum(1 for n in graph.graph.nodes if str(n.target) == "aten.hypot.default") == 1
    m = torch.compile(at.module("bent_identity"), backend="eager")
    x = torch.randn(64, requires_grad=True)
    y = m(x)
    assert compiled.cache_info() == before
    compiled.configure(mode="off")  # the reference: the chunked kernels (compiling it here would change the count)
    torch.testing.assert_close(y, f(x))


def test_compile_mode_is_validated():
    with pytest.raises(ValueError, match="compile mode must be one of 'auto', 'always', 'off'; got 'fast'"):
        at.configure_compile(mode="fast")


@needs_compiler
def test_each_thread_count_gets_its_own_compiled_loop(always):
    f = at.function("isru", alpha=0.61)  # parameters no other test uses: fresh cache entries
    x = torch.randn(256)
    old = torch.get_num_threads()
    counts = [compiled.cache_info()["compiled"]]
    try:
        for threads in (1, 2, 1):
            torch.set_num_threads(threads)
            grad_of(f, x)
            counts.append(compiled.cache_info()["compiled"])
    finally:
        torch.set_num_threads(old)
    assert np.diff(counts).tolist() == [2, 2, 0]  # forward + backward per thread count, then reused


@needs_compiler
def test_user_formulas_and_low_precision_inputs_compile_too(always):
    from actlab.registry import register, unregister
    from actlab.spec import Activation, Properties

    spec = Activation(name="test_compiled_cubic", forward=lambda x: x**3 + np.tanh(x),
                      derivative=lambda x: 3 * x**2 + 1 - np.tanh(x) ** 2, formula="x**3 + tanh(x)", source="user",
                      properties=Properties((-np.inf, np.inf), True, True, np.inf, "none", False), reference="test")
    register(spec)
    try:
        before = compiled.cache_info()["compiled"]
        x = torch.linspace(-2, 2, 101, dtype=torch.float64)
        y, g = grad_of(at.function("test_compiled_cubic"), x)
        assert compiled.cache_info()["compiled"] == before + 2  # the SymPy walk ran once, at trace time
        torch.testing.assert_close(y, x**3 + torch.tanh(x))
        torch.testing.assert_close(g, 3 * x**2 + 1 - torch.tanh(x) ** 2)
    finally:
        unregister("test_compiled_cubic")
    for dtype in (torch.float16, torch.bfloat16):
        x = (torch.randn(512) * 3).to(dtype)
        f = at.function("bent_identity")
        y, g = grad_of(f, x)
        y64, g64 = grad_of(f, x.double())
        eps = torch.finfo(dtype).eps
        assert y.dtype == g.dtype == dtype
        torch.testing.assert_close(y.double(), y64, rtol=eps, atol=eps)
        torch.testing.assert_close(g.double(), g64, rtol=eps, atol=eps)
