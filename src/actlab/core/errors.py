"""The library's exceptions: one base class, subclasses that are also the built-in type a caller expects."""

from __future__ import annotations


class ActlabError(Exception):
    """Base class of every error actlab raises on purpose."""


class UnknownActivation(ActlabError, ValueError):
    """A name that is neither a registered activation nor an alias of one."""


class ParameterError(ActlabError, ValueError):
    """A parameter value of the wrong type, out of its range, or not finite."""


class RegistrationError(ActlabError, ValueError):
    """An activation registered twice, or a name that collides with an existing name or alias."""


class FormulaError(ActlabError, ValueError):
    """A user formula that is malformed or refused by the whitelist."""


class DataError(ActlabError, ValueError):
    """A data set that cannot be used: missing file or column, non-numeric values, too few rows, ..."""
