"""Moved to :mod:`actlab.core.symbolic`: the old name is the same module."""

import sys

import actlab.core.symbolic as _moved

sys.modules[__name__] = _moved
