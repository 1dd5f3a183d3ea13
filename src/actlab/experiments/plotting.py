"""Figures for the experiments: one style, saved as PNG and SVG that are byte-for-byte reproducible."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np

matplotlib.use("Agg")  # experiments draw off-screen, also on machines with a display

import matplotlib.pyplot as plt  # noqa: E402

from actlab.figures import save_figures  # noqa: E402

# Reproducible SVG: a fixed hash salt for the ids matplotlib generates, text kept as text (no glyph paths whose
# ids depend on the font cache), and no date in the metadata. PNG has no timestamp once Software is dropped.
RC = {
    "svg.hashsalt": "actlab",
    "svg.fonttype": "none",
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 9,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}

# One colour per activation, stable across figures (the lab shows several figures side by side).
_PALETTE = plt.get_cmap("tab10").colors + plt.get_cmap("Dark2").colors


def color(name: str, order: list[str] | None = None) -> tuple:
    if order and name in order:
        return _PALETTE[order.index(name) % len(_PALETTE)]
    return _PALETTE[sum(map(ord, name)) % len(_PALETTE)]


def subplots(*args, **kwargs):
    kwargs.setdefault("layout", "constrained")  # titles and labels of neighbouring panels never overlap
    with plt.rc_context(RC):
        return plt.subplots(*args, **kwargs)


def paired_bars(names: list[str], first: tuple, second: tuple, *, width: float, baseline: float,
                baseline_width: float, **axes):
    """Two bars per name, ``first`` left of its tick and ``second`` right of it (each ``(values, label, colour)``),
    and a dotted line at ``baseline``; ``axes`` go to ``ax.set`` (ylabel, title, ...). Returns the figure."""
    fig, ax = subplots(figsize=(width, 3.6))
    x = np.arange(len(names))
    for offset, (values, label, colour) in ((-0.2, first), (0.2, second)):
        ax.bar(x + offset, values, 0.4, label=label, color=colour)
    ax.axhline(baseline, color="k", ls=":", lw=baseline_width)
    ax.set_xticks(x, names)
    ax.set(**axes)
    ax.legend()
    return fig


def save(fig, stem: Path) -> list[Path]:
    return save_figures(fig, stem, dpi=RC["savefig.dpi"], tight=True)
