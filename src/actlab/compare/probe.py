"""What a trained network is measured by, shared by the backends and the runner: the score of its outputs (accuracy
or R^2) and the activation probe (dead units, saturation). A leaf module: the backends import it, never the runner,
so the arrows run runner -> backends -> probe."""

from __future__ import annotations

from typing import Any

import numpy as np

import actlab
from actlab.core import health

SATURATED_BELOW = health.SATURATED_BELOW  # |f'(z)| under this counts as saturated


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
