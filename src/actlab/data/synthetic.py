"""Synthetic 2-D classification sets: XOR, two interleaved spirals, two moons (seeded, no download)."""

from __future__ import annotations

import numpy as np

DESCRIPTIONS = {
    "xor": "XOR: four Gaussian blobs, opposite corners share a class; no linear model separates them.",
    "spirals": "Two interleaved spirals: the classic test that a network needs depth and non-linearity.",
    "moons": "Two interleaving half-circles with Gaussian noise.",
}


def xor(n: int = 1000, seed: int = 0, noise: float = 0.35) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    corners = rng.integers(0, 2, size=(n, 2))
    X = (2.0 * corners - 1.0) + noise * rng.standard_normal((n, 2))
    y = corners[:, 0] ^ corners[:, 1]
    return X, y.astype(np.int64)


def spirals(n: int = 1000, seed: int = 0, noise: float = 0.2, turns: float = 1.75) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    t = np.sqrt(rng.uniform(0.0, 1.0, n)) * turns * 2 * np.pi
    r = t / (turns * 2 * np.pi) * 3.0
    angle = t + np.pi * y
    X = np.column_stack([r * np.cos(angle), r * np.sin(angle)]) + noise * rng.standard_normal((n, 2)) * 0.5
    return X, y.astype(np.int64)


def moons(n: int = 1000, seed: int = 0, noise: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    X, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return X, y.astype(np.int64)
