"""Moved to :mod:`actlab.kernels.torch`: the old name is the same module."""

import sys

import actlab.kernels.torch as _moved

sys.modules[__name__] = _moved
