"""The offline HTML lab: ``build(out)`` writes a self-contained site (catalog, compare, experiments, leaderboard,
choose, diagnose) that opens from disk with no network.

>>> from actlab.report.lab import build          # doctest: +SKIP
>>> build("actlab-lab")
PosixPath('actlab-lab/index.html')
"""

from actlab.report.lab.build import LabError, build
from actlab.report.lab.serve import make_server

__all__ = ["LabError", "build", "make_server"]
