"""Worked examples from the seeds, done right: each a library function returning its numbers (and a figure).

``boston`` — seed 004's f(x) = k2 * sigmoid(k1 * x + b1) + b2 fitted to the Boston housing data (RM -> MEDV).
"""

from actlab.examples.boston import BostonFit, fit_boston, plot_boston, seed_procedure, seed_procedure_starts

__all__ = ["BostonFit", "fit_boston", "plot_boston", "seed_procedure", "seed_procedure_starts"]
