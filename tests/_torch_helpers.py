"""Shared helpers of the torch tests: inputs away from kinks, and the native twin named by the catalog."""

from __future__ import annotations

import numpy as np

import actlab


def smooth_points(spec, params, n=64, seed=0, scale=3.0):
    """Random points at least 1e-3 away from the activation's kinks (gradcheck needs a differentiable point)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(n) * scale
    for k in spec.kinks_for(params):
        near = np.abs(x - k) < 1e-2
        x[near] += 0.05
    return x


def native_twin(spec, params):
    """The torch callable the catalog names in frameworks["torch"] with its torch_args mapped, or None."""
    import torch
    import torch.nn.functional as F

    target = spec.frameworks.get("torch")
    if not target:
        return None
    head, _, attr = target.partition(".")
    owner = {"F": F, "torch": torch, "nn": torch.nn}.get(head)
    if owner is None or not hasattr(owner, attr):
        return None
    fn = getattr(owner, attr)
    kwargs = {}
    learnable = {p.name for p in spec.params if p.learnable}
    for item in filter(None, (s.strip() for s in spec.frameworks.get("torch_args", "").split(","))):
        key, _, value = (s.strip() for s in item.partition("="))
        if value == "axis":
            kwargs[key] = -1
        elif value in params:
            v = params[value]
            kwargs[key] = torch.tensor([float(v)], dtype=torch.float64) if value in learnable else v
        elif value[:1] in "'\"":
            kwargs[key] = value.strip("'\"")
        else:
            kwargs[key] = float(value)
    if head == "nn":
        module = fn(**kwargs)
        return module
    if spec.kind != "elementwise":
        if "dim" in _params_of(fn):
            kwargs.setdefault("dim", -1)
        return lambda x: fn(x, **kwargs)
    return lambda x: fn(x, **kwargs)


def _params_of(fn):
    import inspect

    try:
        return inspect.signature(fn).parameters
    except (TypeError, ValueError):
        return {"dim": None}


def elementwise_specs():
    return actlab.specs("elementwise")


def ulp_error(got: np.ndarray, ref64: np.ndarray, dtype=np.float32) -> np.ndarray:
    """|got - ref| in units of the last place of ``dtype`` at the reference (nan-safe, inf-safe)."""
    got = np.asarray(got, dtype=np.float64)
    ref = np.asarray(ref64, dtype=np.float64)
    with np.errstate(over="ignore"):
        ref_rounded = ref.astype(dtype).astype(np.float64)  # a reference beyond dtype's range rounds to +-inf
    same = (got == ref) | (np.isnan(got) & np.isnan(ref)) | (np.isinf(got) & (got == ref_rounded))
    tiny = np.finfo(dtype).smallest_subnormal
    with np.errstate(over="ignore", invalid="ignore"):
        spacing = np.abs(np.spacing(np.abs(ref).astype(dtype))).astype(np.float64)
        spacing = np.maximum(spacing, tiny)
        err = np.abs(got - ref) / spacing
    return np.where(same, 0.0, np.where(np.isfinite(err), err, np.inf))
