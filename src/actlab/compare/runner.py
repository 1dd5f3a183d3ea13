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
from actlab.compare.probe import activation_probe, score  # noqa: F401  (re-exported: the backends' measures)

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

        # A protocol run's data split is drawn by its data_seed (one split for tuning and evaluation seeds alike, so a
        # tuning run never trains or validates on rows an evaluation run is tested on); its test split stays sealed.
        full = datasets.load(config["dataset"], config.get("data_seed", config["seed"]))
        sealed = None
        if "phase" in config:
            full, sealed = datasets.seal_test(full)
        data, val = datasets.holdout(full, config.get("val_fraction", 0))
        backend = _backend(config["backend"])
        cpu = time.process_time()
        trained = backend(config, data, val)
        evaluate = trained.pop("evaluate", None)
        if sealed is not None and config["phase"] == "eval" and evaluate is not None:
            tested = data
            if config.get("refit") and trained.get("best_epoch"):
                # Validation chose the rate and the epoch count; the network that meets the test split trains on the
                # whole training split (validation rows included) for that many epochs, as the seed's last run.
                # The same learning rate epoch by epoch: a decayed schedule is replayed, having no validation to drive it.
                replay = trained["curve"].get("lr", [])[:trained["best_epoch"]]
                again = backend({**config, "epochs": trained["best_epoch"], "patience": None, "lr_replay": replay},
                                full, None)
                evaluate, tested = again.pop("evaluate", None), full
                trained["refit"] = {"epochs": trained["best_epoch"], "train_time": again["train_time"],
                                    "diverged": again["diverged"]}
            if evaluate is not None:
                trained["test_score"] = evaluate(*datasets.open_test(tested, sealed))  # the one look at the test split
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
    if "phase" in config:
        return _protocol_metrics(config, trained)
    curve = trained["curve"]
    scores = [s for s in curve["test_score"] if s is not None and math.isfinite(s)]
    losses = curve["loss"]
    m: dict[str, Any] = {
        "final_score": scores[-1] if scores and not trained["diverged"] else None,
        "best_score": max(scores) if scores else None,
        "best_epoch": (int(np.argmax(scores)) + 1) if scores else None,
        **_common(trained),
    }
    target = config.get("target")
    if target is None and m["best_score"] is not None:
        target = TARGET_FRACTION * m["best_score"] if m["best_score"] > 0 else m["best_score"]
    m["target"] = target
    m["epochs_to_target"] = _first_reaching(scores, target)
    if "val_score" in curve:
        vals = [s for s in curve["val_score"] if s is not None and math.isfinite(s)]
        m["final_val_score"] = vals[-1] if vals and not trained["diverged"] else None
        m["best_val_score"] = max(vals) if vals else None
        m["best_val_epoch"] = (int(np.argmax(vals)) + 1) if vals else None
    m.update(trained.get("probe") or {})
    return m


def _protocol_metrics(config: dict[str, Any], trained: dict[str, Any]) -> dict[str, Any]:
    """A protocol run is measured at its restored best validation epoch: ``final_val_score`` (= ``best_val_score``)
    is that epoch's validation score, ``final_score`` the one test score of an evaluation run (None in a tuning
    run), and ``epochs_to_target`` counts validation epochs. Nothing here is chosen by a test score."""
    curve_vals = trained["curve"]["val_score"]
    vals = [s for s in curve_vals if s is not None and math.isfinite(s)]
    epoch = trained.get("best_epoch")
    best_val = curve_vals[epoch - 1] if epoch else None
    m: dict[str, Any] = {
        "final_score": trained.get("test_score"),
        "best_score": None,  # no test curve: the test split is read once, at the end
        "final_val_score": best_val, "best_val_score": best_val, "best_val_epoch": trained.get("best_epoch"),
        "stopped_early": len(trained["curve"]["loss"]) < config["epochs"] and not trained["diverged"],
        "refit_epochs": (trained.get("refit") or {}).get("epochs"),
        **_common(trained),
    }
    target = config.get("target")
    if target is None and best_val is not None:
        target = TARGET_FRACTION * best_val if best_val > 0 else best_val
    m["target"] = target
    m["epochs_to_target"] = _first_reaching(vals, target)
    m.update(trained.get("probe") or {})
    return m


def _common(trained: dict[str, Any]) -> dict[str, Any]:
    losses = trained["curve"]["loss"]
    return {
        "final_loss": losses[-1] if losses and losses[-1] is not None and math.isfinite(losses[-1]) else None,
        "train_time": trained["train_time"],
        "cpu_time": trained["cpu_time"],  # unlike wall time, barely affected by other processes on the machine
        "epochs_run": len(losses),
    }


def _first_reaching(scores: list[float], target: float | None) -> int | None:
    return next((i + 1 for i, s in enumerate(scores) if s >= target), None) if target is not None else None


def versions(backend: str) -> dict[str, str]:
    v = {"python": platform.python_version(), "numpy": np.__version__, "actlab": actlab.__version__}
    if backend == "torch":
        try:
            import torch

            v["torch"] = torch.__version__
        except ImportError:
            pass
    return v
