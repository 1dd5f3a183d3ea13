"""Moved to :mod:`actlab.core.registry`: the old name is the same module."""

import sys

import actlab.core.registry as _moved

sys.modules[__name__] = _moved
