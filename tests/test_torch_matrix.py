"""The PyTorch feature matrix: every registered activation x mode x feature, generated from the registry.

Rows: every catalog activation in its default mode and exact mode, the memory modes where they apply, and a user
formula activation. Features: torch.func (grad, vmap over either dimension, jacrev, jvp), forward-mode AD, double
backward, empty and 0-dim inputs, dtype and memory format, pickle, TorchScript scripting, ONNX export by both
exporters run in onnxruntime, torch.compile(fullgraph=True). The quick form runs in ``make test``: every row but
for the dynamo ONNX exporter (a few representative rows) and Inductor's fullgraph compile (one row per memory mode);
``ACTLAB_TORCH_MATRIX=full python -m pytest tests/test_torch_matrix.py`` runs those for every row too (~40 minutes on
2 cores).
"""

from __future__ import annotations

import io
import json
import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from torch.autograd import forward_ad
from torch.func import grad, jacrev, jvp, vmap

import actlab
import actlab.torch as at
from actlab.torch.kernels import KERNELS

from _formula_helpers import defined_formulas
from _torch_helpers import smooth_points

FULL = os.environ.get("ACTLAB_TORCH_MATRIX", "").lower() == "full"
USER = "matrix_user_act"
USER_TABLE = {USER: ("x * tanh(softplus(a * x)) + b * x", {"a": 1.3, "b": 0.1})}


@pytest.fixture(scope="module", autouse=True)
def user_formula():
    with defined_formulas(USER_TABLE) as specs:
        yield specs


def _rows():
    rows = []
    for name in actlab.names():
        if actlab.spec(name).source != "catalog":
            continue
        rows += [(name, {}), (name, {"exact": True})]
        kernel = KERNELS.get(name)
        if actlab.spec(name).kind == "elementwise" and not actlab.spec(name).random:
            if kernel is not None and kernel.mask is not None:
                rows.append((name, {"memory": "bit"}))
            rows.append((name, {"memory": "fewbit", "bits": 2}))
    rows += [(USER, {}), (USER, {"exact": True})]
    return rows


ROWS = _rows()
IDS = [f"{n}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'default'}" for n, kw in ROWS]
MAIN = [(n, kw) for n, kw in ROWS if "memory" not in kw]  # default and exact rows
MAIN_IDS = [i for i, (_, kw) in zip(IDS, ROWS) if "memory" not in kw]


def _elementwise(name):
    return actlab.spec(name).kind == "elementwise"


def _points(name, shape=(3, 4), dtype=torch.float64):
    spec = actlab.spec(name)
    x = smooth_points(spec, dict(actlab.get(name).params), n=int(np.prod(shape)), scale=2.0)
    return torch.tensor(x, dtype=dtype).reshape(shape)


def _reference_grad(f, x):
    xr = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(f(xr).sum(), xr)
    return g


@pytest.mark.parametrize("name,kw", ROWS, ids=IDS)
def test_torch_func_transforms_and_forward_ad_agree_with_backward(name, kw):
    f = at.function(name, **kw)
    x = _points(name)
    ref = _reference_grad(f, x)
    torch.testing.assert_close(grad(lambda t: f(t).sum())(x), ref, equal_nan=True)
    torch.testing.assert_close(vmap(f)(x), f(x), equal_nan=True)
    if _elementwise(name):
        torch.testing.assert_close(vmap(f, in_dims=1, out_dims=1)(x), f(x), equal_nan=True)
    full = torch.autograd.functional.jacobian(f, x[0])
    torch.testing.assert_close(jacrev(f)(x[0]), full, equal_nan=True)
    tangent = torch.linspace(-1.0, 1.0, x.numel(), dtype=x.dtype).reshape(x.shape)
    want = torch.stack([torch.autograd.functional.jacobian(f, row) @ t for row, t in zip(x, tangent)])
    torch.testing.assert_close(jvp(f, (x,), (tangent,))[1], want, equal_nan=True)
    with forward_ad.dual_level():
        out = f(forward_ad.make_dual(x, tangent))
        torch.testing.assert_close(forward_ad.unpack_dual(out).tangent, want, equal_nan=True)


@pytest.mark.parametrize("name,kw", MAIN, ids=MAIN_IDS)
def test_double_backward(name, kw):
    f = at.function(name, **kw)
    x = _points(name, shape=(2, 4)).requires_grad_(True)
    try:
        assert torch.autograd.gradgradcheck(f, (x,), atol=1e-5, rtol=1e-4)
    except RuntimeError as exc:  # torch's own kernel (hardsigmoid, ...) has no double backward: the same as torch's
        assert f.mode == "native" and "not implemented" in str(exc), exc
        with pytest.raises(RuntimeError, match="not implemented"):
            torch.autograd.gradgradcheck(lambda t: f.kernel.native(t), (x,))


def _module_rows(rows, ids):
    """Modules refuse memory modes for learnable parameters (tested below): those rows are functions only."""
    keep = [(r, i) for r, i in zip(rows, ids)
            if not ("memory" in r[1] and any(p.learnable for p in actlab.spec(r[0]).params))]
    return [r for r, _ in keep], [i for _, i in keep]


MODULE_ROWS, MODULE_IDS = _module_rows(ROWS, IDS)


@pytest.mark.parametrize("name,kw", MODULE_ROWS, ids=MODULE_IDS)
def test_empty_and_zero_dim_inputs_and_dtype_and_layout_follow_the_input(name, kw):
    m = at.module(name, **kw).eval()  # eval: torch's RReLU draws no slopes in float16 on CPU (nor does ours)
    for shape in ((0, 4), (2, 0, 4)):
        x = torch.empty(shape, requires_grad=True)
        y = m(x)
        assert y.shape[:-1] == shape[:-1] and y.dtype == x.dtype
        y.sum().backward()
        assert x.grad.shape == shape
    for dtype in (torch.float16, torch.bfloat16, torch.float32, torch.float64):
        assert m(_points(name, dtype=dtype)).dtype == dtype
    if _elementwise(name):
        z = torch.tensor(0.5, requires_grad=True)
        y = m(z)
        assert y.shape == () and y.dtype == z.dtype
        y.backward()
        assert z.grad.shape == ()
        x = _points(name, shape=(2, 3, 4, 5), dtype=torch.float32).to(memory_format=torch.channels_last)
        y = m(x)
        # actlab's Functions keep the layout (as torch's elementwise ops do); a native row gives what torch's op gives
        native = m.fn.kernel.native
        want = native(x) if m.fn.mode.startswith("native") and native is not None else torch.empty_like(x)
        assert y.stride() == want.stride() and y.is_contiguous(memory_format=torch.channels_last) == \
            want.is_contiguous(memory_format=torch.channels_last)
        torch.testing.assert_close(y, m(x.contiguous()))


@pytest.mark.parametrize("name,kw", MODULE_ROWS, ids=MODULE_IDS)
def test_pickle_and_torch_script_keep_the_forward(name, kw):
    net = torch.nn.Sequential(torch.nn.Linear(4, 4), at.module(name, **kw)).eval()
    x = _points(name, dtype=torch.float32)
    loaded = pickle.loads(pickle.dumps(net))
    torch.testing.assert_close(loaded(x), net(x))
    assert repr(loaded[1]) == repr(net[1])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        scripted = torch.jit.script(net)
        buf = io.BytesIO()
        torch.jit.save(scripted, buf)
        buf.seek(0)
        reloaded = torch.jit.load(buf)
    for t in (x, _points(name, shape=(2, 5, 4), dtype=torch.float32)):
        torch.testing.assert_close(reloaded(t), net(t), rtol=1e-5, atol=1e-5)


def _onnx_roundtrip(net, x, dynamo):
    import onnxruntime

    buf = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if dynamo:
            torch.onnx.export(net, (x,), dynamo=True, verbose=False).save(buf)
        else:
            torch.onnx.export(net, (x,), buf, dynamo=False)
    session = onnxruntime.InferenceSession(buf.getvalue())
    fresh = (torch.randn(x.shape, generator=torch.Generator().manual_seed(1)) * 3).to(x.dtype)
    got = session.run(None, {session.get_inputs()[0].name: fresh.numpy()})[0]
    np.testing.assert_allclose(got, net(fresh).detach().numpy(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name,kw", MODULE_ROWS, ids=MODULE_IDS)
def test_onnx_legacy_export_runs_in_onnxruntime_on_a_new_input(name, kw):
    net = torch.nn.Sequential(torch.nn.Linear(4, 4), at.module(name, **kw)).eval()
    _onnx_roundtrip(net, _points(name, dtype=torch.float32), dynamo=False)


def _dynamo_rows():
    if FULL:
        return MODULE_ROWS, MODULE_IDS
    quick = {"gelu", "arctan", "bent_identity", "swiglu", "sparsemax", USER}  # native, polynomial, hypot, gated, ...
    keep = [(r, i) for r, i in zip(MODULE_ROWS, MODULE_IDS) if r[0] in quick and "memory" not in r[1]]
    keep.append(next((r, i) for r, i in zip(MODULE_ROWS, MODULE_IDS) if r == ("relu", {"memory": "bit"})))
    return [r for r, _ in keep], [i for _, i in keep]


DYNAMO_ROWS, DYNAMO_IDS = _dynamo_rows()


@pytest.mark.parametrize("name,kw", DYNAMO_ROWS, ids=DYNAMO_IDS)
def test_onnx_dynamo_export_runs_in_onnxruntime_on_a_new_input(name, kw):
    net = torch.nn.Sequential(torch.nn.Linear(4, 4), at.module(name, **kw)).eval()
    _onnx_roundtrip(net, _points(name, dtype=torch.float32), dynamo=True)


def test_a_function_called_directly_refuses_the_legacy_exporter_instead_of_freezing_a_constant():
    from actlab.torch import autograd as ag

    kernel = KERNELS["bent_identity"]

    class Direct(torch.nn.Module):
        def forward(self, x):
            return ag.Elementwise.apply(x, ag.Fused(kernel.forward, kernel.derivative, exact=False))

    with pytest.raises(Exception, match="no ONNX form"):
        torch.onnx.export(Direct(), (torch.randn(3),), io.BytesIO(), dynamo=False)


# Each row is an Inductor C++ build (30-60 s on the shared 2 cores): one per memory mode in the quick form.
COMPILE_ROWS = [(r, i) for r, i in zip(ROWS, IDS) if "memory" in r[1]] if FULL else \
    [((n, kw), i) for (n, kw), i in zip(ROWS, IDS) if (n, kw) in (("relu", {"memory": "bit"}),
                                                                  ("gelu", {"memory": "fewbit", "bits": 2}))]


@pytest.mark.parametrize("name,kw", [r for r, _ in COMPILE_ROWS], ids=[i for _, i in COMPILE_ROWS])
def test_memory_modes_compile_with_fullgraph(name, kw):
    # Every Activation shares one forward code object and Dynamo caches 8 graphs per code object: each row starts
    # from a clean cache so that the full matrix (56 rows in one process) tests compilation, not the cache's limit.
    torch._dynamo.reset()
    m = at.module(name, **kw) if not any(p.learnable for p in actlab.spec(name).params) else at.function(name, **kw)
    compiled = torch.compile(m, fullgraph=True)
    x = _points(name, shape=(4, 33), dtype=torch.float32).requires_grad_(True)
    y = compiled(x)
    (g,) = torch.autograd.grad(y.sum(), x)
    torch.testing.assert_close(y, m(x))
    torch.testing.assert_close(g, _reference_grad(m, x.detach()))


def test_a_user_formula_module_pickles_into_a_fresh_process(tmp_path):
    m = at.module(USER, a=0.7)
    assert repr(m).startswith(f"Activation({USER!r}")
    path = tmp_path / "m.pt"
    torch.save(m, path)
    code = (f"import json, torch, actlab.torch as at; m = torch.load({str(path)!r}, weights_only=False); "
            f"print(repr(m)); print(json.dumps(m(torch.tensor([1.0, -2.0])).tolist()))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == repr(m)
    np.testing.assert_allclose(json.loads(out[1]), m(torch.tensor([1.0, -2.0])).tolist(), rtol=1e-6)


def test_memory_modes_on_learnable_modules_are_refused_not_ignored():
    for name in [n for n in actlab.names() if any(p.learnable for p in actlab.spec(n).params)]:
        with pytest.raises(actlab.ParameterError, match="memory='fewbit' cannot apply"):
            at.module(name, memory="fewbit")


@pytest.mark.parametrize("name", [n for n in actlab.names() if any(p.learnable for p in actlab.spec(n).params)])
def test_learnable_modules_follow_the_input_dtype_and_shape(name):
    m = at.module(name)
    for dtype in (torch.float16, torch.bfloat16, torch.float64):
        x = torch.randn(2, 3).to(dtype)
        assert m(x).dtype == dtype
    assert m(torch.tensor(0.3)).shape == ()
    x = torch.tensor(0.3, requires_grad=True)
    m(x).backward()
    assert all(p.grad is not None for p in m.parameters())
