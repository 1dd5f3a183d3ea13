"""Moved to :mod:`actlab.core.mathml`: the old name is the same module."""

import sys

import actlab.core.mathml as _moved

sys.modules[__name__] = _moved
