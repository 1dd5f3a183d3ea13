"""Moved to :mod:`actlab.core.spec`: the old name is the same module."""

import sys

import actlab.core.spec as _moved

sys.modules[__name__] = _moved
