"""Activations users defined from a formula, persisted in ``actlab.toml``; filled in by the formula module."""

from __future__ import annotations


def load_user_activations() -> None:
    """Register the activations saved by ``actlab define``. (No user registry yet: nothing to load.)"""
    return None
