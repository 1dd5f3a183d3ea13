"""Moved to :mod:`actlab.core.numerics`: the old name is the same module."""

import sys

import actlab.core.numerics as _moved

sys.modules[__name__] = _moved
