"""Figures of activation functions and their derivatives, drawn from the registry.

Like the seeds, each activation gets its "function image" and its "derivative function image": f on the left, f' on
the right, a light grid, the axes through the origin. Several activations share the axes, one colour each.
Non-elementwise kinds have no f(x) of one variable, so they are drawn along a one-dimensional slice that the legend
names: softmax([x, 0])[0], glu([x, x]), crelu([x]) (both outputs), maxout([x, 0, ...]); the derivative is d/dx of
the plotted output, through the activation's vector-Jacobian product.

>>> from actlab.report import plots
>>> fig = plots.figure(["relu", "sigmoid"], derivative=True)
>>> len(fig.axes)
2
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

import actlab
from actlab.spec import BoundActivation

DEFAULT_RANGE = (-5.0, 5.0)
N_POINTS = 1001  # an odd count on a symmetric range puts a sample exactly at 0, where most kinks are


def _bound(a: str | BoundActivation) -> BoundActivation:
    return a if isinstance(a, BoundActivation) else actlab.get(a)


def label(a: BoundActivation) -> str:
    """``name`` or ``name(k=v, ...)``: how legends and messages name a bound activation."""
    if not a.params:
        return a.name
    return f"{a.name}({', '.join(f'{k}={v:g}' for k, v in a.params.items())})"


def curves(a: str | BoundActivation, xs: np.ndarray) -> list[tuple[str, np.ndarray, np.ndarray]]:
    """[(label, f, f')] along ``xs``: one curve for most activations, one per output for expanding kinds."""
    a = _bound(a)
    xs = np.asarray(xs, dtype=np.float64)
    name = label(a)
    if a.kind == "elementwise":
        return [(name, np.asarray(a(xs), float), np.asarray(a.derivative(xs), float))]
    n = xs.size
    if a.kind == "gated":
        X = np.stack([xs, xs], axis=-1)  # value half and gate half both equal to x
        Y = np.asarray(a(X), float)
        J = np.asarray(a.vjp(X, np.ones_like(Y)), float)
        return [(f"{name}([x, x])", Y[:, 0], J.sum(axis=-1))]
    if a.kind == "expanding":
        X = xs[:, None]
        Y = np.asarray(a(X), float)
        out = []
        for i in range(Y.shape[-1]):
            G = np.zeros_like(Y)
            G[:, i] = 1.0
            out.append((f"{name}([x])[{i}]", Y[:, i], np.asarray(a.vjp(X, G), float)[:, 0]))
        return out
    last: Exception | None = None
    for width in (2, 3, 4, 5, 6, 8):  # vector and pooling kinds: [x, 0, ..., 0], the first width they accept
        X = np.concatenate([xs[:, None], np.zeros((n, width - 1))], axis=-1)
        try:
            Y = np.asarray(a(X), float)
            G = np.zeros_like(Y)
            G[:, 0] = 1.0
            J = np.asarray(a.vjp(X, G), float)
        except (ValueError, TypeError) as err:
            last = err
            continue
        zeros = ", 0" * (width - 1)
        return [(f"{name}([x{zeros}])[0]", Y[:, 0], J[:, 0])]
    raise ValueError(f"cannot draw {a.name}: no input width from 2 to 8 suits it ({last})")


def _break_jumps(xs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Insert a gap where y jumps (a single segment far steeper than both neighbours), so a step is not drawn as
    a vertical line that looks like part of the function."""
    y = np.asarray(y, float)
    with np.errstate(invalid="ignore"):
        d = np.abs(np.diff(y))
        finite = np.isfinite(y)
        span = np.ptp(y[finite]) if finite.any() else 0.0
        left = np.concatenate([[0.0], d[:-1]])
        right = np.concatenate([d[1:], [0.0]])
        jump = (d > 10 * np.maximum(left, right)) & (d > 1e-3 * span)
    idx = np.flatnonzero(np.nan_to_num(jump))
    if idx.size == 0:
        return xs, y
    mids = (xs[idx] + xs[idx + 1]) / 2
    return np.insert(xs, idx + 1, mids), np.insert(y, idx + 1, np.nan)


def _style(ax, title: str, xrange: tuple[float, float]) -> None:
    ax.set_title(title)
    ax.axhline(0.0, color="0.6", lw=0.8, zorder=0)
    ax.axvline(0.0, color="0.6", lw=0.8, zorder=0)
    ax.grid(True, color="0.9", lw=0.6)
    ax.set_xlim(*xrange)
    ax.set_xlabel("x")


def _finite_ylim(ax, ys: Iterable[np.ndarray]) -> None:
    vals = np.concatenate([np.ravel(y)[np.isfinite(np.ravel(y))] for y in ys] or [np.zeros(1)])
    if vals.size == 0:
        return
    lo, hi = float(vals.min()), float(vals.max())
    pad = 0.08 * (hi - lo) if hi > lo else 0.5
    ax.set_ylim(lo - pad, hi + pad)


def figure(activations: Sequence[str | BoundActivation] | str | BoundActivation, derivative: bool = False,
           xrange: tuple[float, float] = DEFAULT_RANGE, n: int = N_POINTS, title: str | None = None,
           only_derivative: bool = False):
    """A matplotlib Figure of f (and, with ``derivative``, f' beside it) for one or many activations.

    ``only_derivative`` draws f' alone. Raises ValueError for an empty or reversed range.
    """
    import matplotlib.pyplot as plt

    lo, hi = (float(v) for v in xrange)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ValueError(f"the plot range must be two finite numbers a < b; got {xrange[0]!r}:{xrange[1]!r}")
    if isinstance(activations, (str, BoundActivation)):
        activations = [activations]
    acts = [_bound(a) for a in activations]
    if not acts:
        raise ValueError("nothing to plot: give at least one activation")
    xs = np.linspace(lo, hi, int(n))
    drawn = [(label, f, df) for a in acts for label, f, df in curves(a, xs)]
    panels = ["derivative"] if only_derivative else (["function", "derivative"] if derivative else ["function"])
    many = len(drawn) > 10  # a long legend goes outside the axes, in columns
    height = 4.0 if not many else max(4.0, 0.2 * len(drawn) / (1 + len(drawn) // 30))
    fig, axes = plt.subplots(1, len(panels), figsize=(5.2 * len(panels) + (3.5 if many else 0), height),
                             squeeze=False, layout="constrained")
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for ax, panel in zip(axes[0], panels):
        ys = []
        for i, (label, f, df) in enumerate(drawn):
            y = f if panel == "function" else df
            ys.append(y)
            ax.plot(*_break_jumps(xs, y), lw=2.0, color=colours[i % len(colours)], label=label)
        names = ", ".join(a.name for a in acts) if len(acts) <= 3 else f"{len(acts)} activations"
        _style(ax, f"{names}: f(x)" if panel == "function" else f"{names}: f'(x)", (lo, hi))
        _finite_ylim(ax, ys)
        if many and panel == panels[-1]:
            ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), fontsize="x-small", frameon=False,
                      ncol=1 + len(drawn) // 30)
        elif not many:
            ax.legend(loc="best", fontsize="small", frameon=False)
    if title:
        fig.suptitle(title)
    return fig


def save(fig, path: str | Path, dpi: int = 120) -> Path:
    """Write ``fig`` to PNG or SVG (by the suffix) and close it. SVGs carry no date, so they are reproducible."""
    from actlab.figures import save_figure  # matplotlib: loaded when a figure is drawn

    return save_figure(fig, path, dpi=dpi)


def gallery(out_dir: str | Path, names: Iterable[str] | None = None, formats: Sequence[str] = ("png", "svg"),
            xrange: tuple[float, float] = DEFAULT_RANGE) -> list[Path]:
    """One figure per activation (f and f' side by side) in ``out_dir``, named NAME.png / NAME.svg."""
    out = Path(out_dir)
    paths = []
    for name in names if names is not None else actlab.names():
        for fmt in formats:
            fig = figure(name, derivative=True, xrange=xrange)
            paths.append(save(fig, out / f"{actlab.resolve(name)}.{fmt}"))
    return paths
