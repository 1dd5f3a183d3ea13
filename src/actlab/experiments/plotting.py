"""Figures for the experiments: one style, saved as PNG and SVG that are byte-for-byte reproducible."""

from __future__ import annotations

from pathlib import Path

import matplotlib

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


def save(fig, stem: Path) -> list[Path]:
    return save_figures(fig, stem, dpi=RC["savefig.dpi"], tight=True)
