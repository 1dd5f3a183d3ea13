"""The catalog: importing this package registers every built-in activation, one family per module."""

from actlab.catalog import classic, relu  # noqa: F401
