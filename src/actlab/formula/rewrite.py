"""Moved to :mod:`actlab.kernels.stable`: the old name is the same module."""

import sys

import actlab.kernels.stable as _moved

sys.modules[__name__] = _moved
