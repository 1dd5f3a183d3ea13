"""One run: load its data, train its model with its activation and seed, measure it. Pure: config in, result out.

``execute(config)`` never raises — an exception becomes ``status='failed'`` with the error, a NaN/inf loss becomes
``status='diverged'`` — and touches no store, so it runs the same in-process, in a pool worker or on a Ray node.

Metrics (higher score is better: accuracy for classification, R^2 for regression):
``final_score``/``best_score``/``best_epoch`` on the test split, ``final_val_score``/``best_val_score``/
``best_val_epoch`` on the validation split (only with ``val_fraction`` > 0, which also adds a ``val_score`` curve
next to ``test_score``), ``final_loss`` (training loss, last epoch),
``epochs_to_target`` (first epoch whose test score reaches ``target``; without a target, 95% of the run's own best),
``train_time`` (wall seconds of the training loop, per-epoch test and validation evaluation included), ``cpu_time`` (CPU
seconds of the whole run, probe included: robust when other processes share the cores), and on the trained
network, over a few training batches:
``dead_fraction`` (hidden units whose derivative is 0 on every sample), ``saturation`` (share of hidden
pre-activations where |f'(z)| < 0.01: the gradient through them is cut a hundredfold) and ``grad_norms`` (per weight
layer, input side first).
"""

from __future__ import annotations

import math
import os
import platform
import socket
import time
import traceback
from contextlib import contextmanager
from typing import Any, Callable

import numpy as np

import actlab
from actlab.core import health

SATURATED_BELOW = health.SATURATED_BELOW  # |f'(z)| under this counts as saturated
TARGET_FRACTION = 0.95


def execute(config: dict[str, Any]) -> dict[str, Any]:
    """Run one configuration; return ``{key, status, metrics, curve, versions, host, worker, error}``."""
    actlab.load_user_activations()  # a worker process sees the user's formulas (kept if already compiled)
    with _single_thread():
        return _execute(config)


def _execute(config: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "key": config.get("key"),
        "host": socket.gethostname(),
        "worker": f"{socket.gethostname()}:{os.getpid()}",
    }
    try:
        from actlab.compare import datasets

        data, val = datasets.holdout(datasets.load(config["dataset"], config["seed"]), config.get("val_fraction", 0))
        backend = _backend(config["backend"])
        cpu = time.process_time()
        trained = backend(config, data, val)
        trained["cpu_time"] = time.process_time() - cpu
        out["status"] = "diverged" if trained["diverged"] else "done"
        out["curve"] = trained["curve"]
        out["metrics"] = _metrics(config, trained)
        out["versions"] = versions(config["backend"])
        if trained["diverged"]:
            out["error"] = f"loss became {trained['bad_loss']} in epoch {len(trained['curve']['loss'])}"
    except Exception as err:  # a worker reports, the driver records: one bad run must not stop a sweep
        out.update(status="failed", error=f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=8)}")
        out["versions"] = versions(config.get("backend", "numpy"))
    return out


def _backend(name: str) -> Callable[[dict, Any], dict]:
    if name == "torch":
        from actlab.compare.torch_backend import train
    else:
        from actlab.compare.numpy_backend import train
    return train


@contextmanager
def _single_thread():
    """One BLAS (and torch) thread per run: parallel runs use the cores, and the numbers do not depend on the
    executor. Restored afterwards, so an in-process run leaves the caller's thread settings alone."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(1):
        yield


def _metrics(config: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    curve = trained["curve"]
    scores = [s for s in curve["test_score"] if s is not None and math.isfinite(s)]
    losses = curve["loss"]
    m: dict[str, Any] = {
        "final_score": scores[-1] if scores and not trained["diverged"] else None,
        "best_score": max(scores) if scores else None,
        "best_epoch": (int(np.argmax(scores)) + 1) if scores else None,
        "final_loss": losses[-1] if losses and losses[-1] is not None and math.isfinite(losses[-1]) else None,
        "train_time": trained["train_time"],
        "cpu_time": trained["cpu_time"],  # unlike wall time, barely affected by other processes on the machine
        "epochs_run": len(losses),
    }
    target = config.get("target")
    if target is None and m["best_score"] is not None:
        target = TARGET_FRACTION * m["best_score"] if m["best_score"] > 0 else m["best_score"]
    m["target"] = target
    m["epochs_to_target"] = next((i + 1 for i, s in enumerate(scores) if s >= target), None) if target is not None \
        else None
    if "val_score" in curve:
        vals = [s for s in curve["val_score"] if s is not None and math.isfinite(s)]
        m["final_val_score"] = vals[-1] if vals and not trained["diverged"] else None
        m["best_val_score"] = max(vals) if vals else None
        m["best_val_epoch"] = (int(np.argmax(vals)) + 1) if vals else None
    m.update(trained.get("probe") or {})
    return m


def activation_probe(activation: str, pre_activations: list[np.ndarray]) -> dict[str, Any]:
    """Dead-unit fraction and saturation from each hidden layer's pre-activations (samples first, units last
    for dense layers; for conv layers channels are the units, axis 1)."""
    act = actlab.get(activation)
    dead, saturated, total_units, total_entries = 0, 0, 0, 0
    per_layer = []
    for z in pre_activations:
        z = np.asarray(z, dtype=np.float64)
        d = np.asarray(act.derivative(z), dtype=np.float64)
        unit_axis = 1
        dead_units = int(np.sum(~health.active_units(d, unit_axis)))
        sat = int(np.sum(health.saturated(d, SATURATED_BELOW)))
        dead += dead_units
        saturated += sat
        total_units += d.shape[unit_axis]
        total_entries += d.size
        per_layer.append({"dead_fraction": dead_units / d.shape[unit_axis], "saturation": sat / d.size})
    return {
        "dead_fraction": dead / total_units if total_units else None,
        "saturation": saturated / total_entries if total_entries else None,
        "layers": per_layer,
    }


def score(task: str, y_true: np.ndarray, output: np.ndarray) -> float:
    """Accuracy (classification, from logits) or R^2 (regression) — higher is better for both."""
    if task == "classification":
        return float(np.mean(np.argmax(output, axis=1) == y_true))
    pred = np.asarray(output, dtype=np.float64).reshape(-1)
    y = np.asarray(y_true, dtype=np.float64).reshape(-1)
    if not np.all(np.isfinite(pred)):
        return float("nan")
    ss_res = float(np.sum((y - pred) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    return 1.0 - ss_res / ss_tot if ss_tot > 0 else 0.0


def versions(backend: str) -> dict[str, str]:
    v = {"python": platform.python_version(), "numpy": np.__version__, "actlab": actlab.__version__}
    if backend == "torch":
        try:
            import torch

            v["torch"] = torch.__version__
        except ImportError:
            pass
    return v
