"""Saving a matplotlib figure: the one helper every part that draws uses (report, experiments, compare, torch's
Monitor, the examples).

Files are byte-for-byte reproducible: PNG without the Software stamp, SVG without a date or creator, with a fixed
salt for the ids matplotlib generates and text kept as text. The format follows the suffix; parent directories are
created; the figure is closed afterwards unless ``close=False``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

import matplotlib

matplotlib.use("Agg")  # figures are written to files, also on machines with a display

import matplotlib.pyplot as plt  # noqa: E402

FORMATS = (".png", ".svg")
_METADATA = {".png": {"Software": None}, ".svg": {"Date": None, "Creator": None}}
_RC = {"svg.hashsalt": "actlab", "svg.fonttype": "none"}


def save_figure(fig: Any, path: str | Path, *, dpi: float | None = None, tight: bool = False,
                close: bool = True) -> Path:
    """Write ``fig`` to ``path`` (.png or .svg) and return the path."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"A figure is saved as .png or .svg; got {str(path)!r}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    options: dict[str, Any] = {"metadata": _METADATA[suffix]}
    if dpi is not None:
        options["dpi"] = dpi
    if tight:
        options["bbox_inches"] = "tight"
    with plt.rc_context(_RC):
        fig.savefig(path, **options)
    if close:
        plt.close(fig)
    return path


def save_figures(fig: Any, stem: str | Path, formats: Iterable[str] = FORMATS, **kwargs: Any) -> list[Path]:
    """Write ``fig`` once per format (``stem.png``, ``stem.svg``) and close it; returns the paths."""
    paths = [save_figure(fig, Path(stem).with_suffix(ext), close=False, **kwargs) for ext in formats]
    plt.close(fig)
    return paths
