"""Importing timm and HF transformers beside the CPU build of torch 2.13.0 (the wheel this project's dev install pins).

timm imports torchvision at import time (``timm.layers`` takes ``FrozenBatchNorm2d`` from it, ``timm.data`` its
transforms). PyPI's torchvision 0.28.0 is built against the CUDA build of torch: beside the CPU build its C extension
cannot load (it links ``libtorch_cuda.so``), which torchvision tolerates, except that its ``_meta_registrations``
registers fake kernels for ``torchvision::nms`` and ``torchvision::qnms`` without checking that the operators exist,
and the import fails with "operator torchvision::nms does not exist". Defining the two schemas (no kernel: nms is
never called by the classification models tested here; a call would raise "no kernel registered") lets the pure-
Python parts of torchvision, all that timm's models use, import.
"""

from __future__ import annotations

import warnings

import torch

_SCHEMAS = ("nms", "qnms")
_lib = None


def import_timm():
    """timm, imported (torchvision made importable first)."""
    torchvision_importable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torchvision's "Failed to load image Python extension" and the like
        import timm
    return timm


def import_transformers():
    """HF transformers, imported offline (no hub: the tests build tiny configs with random weights); it imports
    torchvision too where it is installed."""
    import os

    os.environ["HF_HUB_OFFLINE"] = "1"
    torchvision_importable()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import transformers
    return transformers


def torchvision_importable() -> None:
    """Define the torchvision operator schemas its import needs (once per process)."""
    global _lib
    missing = [op for op in _SCHEMAS if not _has_op(op)]
    if _lib is None and missing:
        _lib = torch.library.Library("torchvision", "FRAGMENT")
        for op in missing:
            _lib.define(f"{op}(Tensor dets, Tensor scores, float iou_threshold) -> Tensor")


def _has_op(op: str) -> bool:
    try:
        torch._C._dispatch_find_schema_or_throw(f"torchvision::{op}", "")
        return True
    except RuntimeError:
        return False
