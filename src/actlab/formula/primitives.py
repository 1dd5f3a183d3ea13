"""Moved to :mod:`actlab.kernels.primitives`: the old name is the same module."""

import sys

import actlab.kernels.primitives as _moved

sys.modules[__name__] = _moved
