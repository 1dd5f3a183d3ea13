"""What the seeds would diagnose from a monitor report, and the figure of a monitored run (no torch needed here)."""

from __future__ import annotations

import math

import actlab

# Cures, as the seeds give them.
DEAD_CURE = "lower the learning rate, or try leaky_relu (or a small positive bias init)"
SATURATED_CURE = "normalise the inputs (BatchNorm/LayerNorm), use Glorot init, or try relu"
VANISHING_CURE = "try relu with He init (or residual connections / normalisation)"
EXPLODING_CURE = "lower the learning rate, clip gradients, or use a smaller init scale"
OFF_CENTRE_CURE = "use tanh (zero-centred) or add a normalisation layer"


def findings(report: list[dict], window: int, dead: float = 0.3, saturated: float = 0.5,
             vanishing: float = 1000.0) -> list[str]:
    out: list[str] = []
    off_centre = []
    # A gate (squeeze-excite, gated unit) is meant to sit near 0 or 1 and off-centre: no finding is about it.
    report = [r for r in report if not r.get("gate")]
    for r in report:
        name, act, batches = r["layer"], r["activation"], r.get("batches", window)
        props = _properties(act)
        if r["dead_fraction"] >= dead:
            out.append(f"layer {name!r} ({act}): {100 * r['dead_fraction']:.0f}% of units dead over the last "
                       f"{batches} batches — {DEAD_CURE}")
        # Only two-sided saturating functions: ReLU's zero slope for x < 0 is inactivity (counted as dead above).
        elif props and props["saturates"] == "both" and r["saturated_fraction"] >= saturated:
            out.append(f"layer {name!r} ({act}): {100 * r['saturated_fraction']:.0f}% of activations saturated "
                       f"(|f'| below threshold) — {SATURATED_CURE}")
        if props and not props["zero_centered"] and props["saturates"] == "both" and abs(r["mean"]) > 0.3:
            off_centre.append(r)
    if off_centre:
        layers = ", ".join(repr(r["layer"]) for r in off_centre)
        mean = sum(r["mean"] for r in off_centre) / len(off_centre)
        acts = "/".join(sorted({r["activation"] for r in off_centre}))
        out.append(f"{'layers' if len(off_centre) > 1 else 'layer'} {layers} ({acts}): mean activation {mean:.2f}, "
                   f"not zero-centred — the next layer's weight updates share one sign and zig-zag; {OFF_CENTRE_CURE}")
    norms = [(r["layer"], r["activation"], r["grad_norm"]) for r in report
             if not math.isnan(r["grad_norm"]) and r["grad_norm"] >= 0]
    if len(norms) >= 2:
        (first, act_first, g_first), (last, _, g_last) = norms[0], norms[-1]
        # Gradients flow from the last layer back to the first: compare what reaches the first with the last.
        if g_first == 0 or (g_last > 0 and g_last / g_first >= vanishing):
            ratio = math.inf if g_first == 0 else g_last / g_first
            out.append(f"gradient norm falls {_times(ratio)} from layer {last!r} to {first!r} ({act_first}): "
                       f"vanishing gradients — {VANISHING_CURE}")
        elif g_last == 0 or g_first / g_last >= vanishing:
            ratio = math.inf if g_last == 0 else g_first / g_last
            out.append(f"gradient norm grows {_times(ratio)} from layer {last!r} to {first!r}: exploding gradients — "
                       f"{EXPLODING_CURE}")
    return out


def _times(ratio: float) -> str:
    return "to zero" if math.isinf(ratio) else f"{ratio:,.0f}x"


def _properties(name: str) -> dict | None:
    try:
        return actlab.get(name).properties
    except (actlab.UnknownActivation, actlab.ParameterError):
        return None


def plot_history(history: dict[str, list], activations: dict[str, str], path=None):
    """Per-layer bars at a few moments of the run: dead fraction, saturated fraction and input-gradient norm."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    from actlab.figures import save_figure

    layers = list(history)
    n_snap = max(1, min(5, min((len(h) for h in history.values()), default=1)))
    fig, axes = plt.subplots(1, 3, figsize=(13, 3.8), constrained_layout=True)
    metrics = (("dead fraction", 1), ("saturated fraction", 2), ("input gradient norm", 3))
    width = 0.8 / n_snap
    cmap = plt.get_cmap("viridis")
    for ax, (title, col) in zip(axes, metrics):
        for s in range(n_snap):
            values, step = [], None
            for layer in layers:
                h = history[layer]
                if not h:
                    values.append(np.nan)
                    continue
                idx = round(s * (len(h) - 1) / max(1, n_snap - 1)) if n_snap > 1 else len(h) - 1
                step = h[idx][0]
                values.append(h[idx][col])
            xs = np.arange(len(layers)) + (s - (n_snap - 1) / 2) * width
            ax.bar(xs, values, width=width, color=cmap(s / max(1, n_snap - 1)), label=f"step {step}")
        shared = len(set(activations.values())) == 1
        labels = layers if shared else [f"{q} ({activations[q]})" for q in layers]
        ax.set_xticks(np.arange(len(layers)), labels, fontsize=7, rotation=0 if shared else 45, ha="center" if
                      shared else "right")
        ax.set_xlabel(f"layer ({next(iter(activations.values()))})" if shared else "layer")
        ax.set_title(title)
        if col == 3:
            if any(v > 0 for h in history.values() for v in (row[3] for row in h)):
                ax.set_yscale("log")
        else:
            ax.set_ylim(0, 1)
    axes[0].legend(fontsize=7, title="over time", title_fontsize=7)
    if path is not None:
        save_figure(fig, path, dpi=110, close=False)
    return fig
