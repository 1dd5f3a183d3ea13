"""Few-bit backward (Novikov et al. 2022, "Few-Bit Backward: Quantized Gradients of Activation Functions for Memory
Footprint Reduction", arXiv:2202.00441): store a b-bit code of x instead of x, and use a piecewise-constant f'.

The 2^b intervals of x and the constant on each are chosen to minimise E[(f'(X) - q(X))^2] for X ~ N(0, 1) (the
pre-activations of a normalised network), by dynamic programming over a fine grid: the optimal segmentation of the
grid into 2^b pieces, each piece's level the weighted mean of f' on it. f' comes from the catalog's NumPy
derivative (the source of truth), so any elementwise activation works, smooth or not.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

GRID = 512  # cells on [-LIMIT, LIMIT]; beyond it both tails are one cell each
LIMIT = 6.0


def _density(edges: np.ndarray) -> np.ndarray:
    """The N(0,1) probability of each cell (via the normal CDF, so the tail cells get their full mass)."""
    from scipy.special import ndtr

    return np.diff(ndtr(edges))


@lru_cache(maxsize=256)
def quantizer(name: str, params: tuple[tuple[str, float], ...], bits: int) -> tuple[np.ndarray, np.ndarray]:
    """(boundaries of length 2^b - 1, levels of length 2^b) for the activation ``name`` with ``params``."""
    import actlab

    if not 1 <= bits <= 8:
        raise ValueError(f"fewbit takes bits in 1..8; got {bits}")
    act = actlab.get(name, **dict(params))
    inner = np.linspace(-LIMIT, LIMIT, GRID + 1)
    edges = np.concatenate([[-np.inf], inner, [np.inf]])
    weight = _density(edges)
    # The value of f' on each cell: its mean over a few sample points (the tails: at +-2*LIMIT's direction).
    sub = (inner[:-1, None] + (np.arange(8)[None, :] + 0.5) / 8 * np.diff(inner)[:, None])
    cell = np.concatenate([act.derivative(np.array([-LIMIT - 1.0])), act.derivative(sub).mean(axis=1),
                           act.derivative(np.array([LIMIT + 1.0]))]).astype(np.float64)
    cell = np.nan_to_num(cell)
    n = cell.size
    c0 = np.concatenate([[0.0], np.cumsum(weight)])
    c1 = np.concatenate([[0.0], np.cumsum(weight * cell)])
    c2 = np.concatenate([[0.0], np.cumsum(weight * cell * cell)])

    def seg_cost(i: np.ndarray, j: np.ndarray) -> np.ndarray:  # cost of cells i..j-1 as one piece
        w = c0[j] - c0[i]
        s = c1[j] - c1[i]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(w > 0, (c2[j] - c2[i]) - s * s / np.where(w > 0, w, 1.0), 0.0)

    k_max = min(2**bits, n)
    ii, jj = np.meshgrid(np.arange(n + 1), np.arange(n + 1), indexing="ij")
    seg = np.where(ii < jj, seg_cost(ii, jj), np.inf)  # seg[i, j]: cells i..j-1
    best = seg[0].copy()  # best[j]: cells 0..j-1 in one piece
    choice = []
    for _ in range(1, k_max):
        total = best[:, None] + seg  # previous pieces end at i, the new piece covers i..j-1
        arg = np.argmin(total, axis=0)
        best = total[arg, np.arange(n + 1)]
        choice.append(arg)
    cuts = [n]
    for arg in reversed(choice):
        cuts.append(int(arg[cuts[-1]]))
    cuts = sorted(set(cuts) | {0})
    bounds, levels = [], []
    for a, b in zip(cuts[:-1], cuts[1:]):
        w = c0[b] - c0[a]
        levels.append((c1[b] - c1[a]) / w if w > 0 else float(cell[a]))
        if b < n:
            bounds.append(edges[b])
    while len(levels) < 2**bits:  # fewer distinct pieces than codes: pad (the codes are never produced)
        levels.append(levels[-1])
    return np.asarray(bounds, dtype=np.float64), np.asarray(levels, dtype=np.float64)


def rms_error(name: str, params: dict[str, float], bits: int, samples: int = 200_000, seed: int = 0) -> float:
    """sqrt(E[(f'(X) - q(X))^2]) for X ~ N(0, 1), by Monte Carlo with the catalog derivative."""
    import actlab

    bounds, levels = quantizer(name, tuple(sorted(params.items())), bits)
    x = np.random.default_rng(seed).standard_normal(samples)
    exact = actlab.get(name, **params).derivative(x)
    approx = levels[np.searchsorted(bounds, x, side="right")]
    return float(np.sqrt(np.mean((exact - approx) ** 2)))
