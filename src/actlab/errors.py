"""Moved to :mod:`actlab.core.errors`: the old name is the same module."""

import sys

import actlab.core.errors as _moved

sys.modules[__name__] = _moved
