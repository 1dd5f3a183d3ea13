"""The name registry: one entry per activation, forgiving look-ups, did-you-mean errors."""

from __future__ import annotations

import difflib
from typing import Any

from actlab.errors import RegistrationError, UnknownActivation
from actlab.spec import Activation, BoundActivation

_SPECS: dict[str, Activation] = {}  # canonical name -> spec, in registration order
_ALIASES: dict[str, str] = {}  # alias -> canonical name
_LOADED = False


def _key(name: str) -> str:
    """Case-insensitive, '-' , ' ' and '_' alike."""
    return name.strip().lower().replace("-", "_").replace(" ", "_")


def _squash(name: str) -> str:
    return _key(name).replace("_", "")


def register(spec: Activation, *, replace: bool = False) -> Activation:
    """Add a spec to the registry. Names and aliases must be new (``replace`` is for user re-definitions)."""
    name = _key(spec.name)
    if name != spec.name:
        raise RegistrationError(f"canonical names are lower snake_case; got {spec.name!r} (use {name!r})")
    taken = {**{n: n for n in _SPECS}, **_ALIASES}
    for label in (name, *map(_key, spec.aliases)):
        owner = taken.get(label)
        if owner is not None and not (replace and owner == name):
            raise RegistrationError(f"cannot register {spec.name!r}: the name {label!r} already belongs to {owner!r}")
    if replace and name in _SPECS:
        unregister(name)
    _SPECS[name] = spec
    for alias in spec.aliases:
        _ALIASES[_key(alias)] = name
    return spec


def unregister(name: str) -> None:
    canonical = resolve(name)
    del _SPECS[canonical]
    for alias in [a for a, c in _ALIASES.items() if c == canonical]:
        del _ALIASES[alias]


def _ensure_loaded() -> None:
    global _LOADED
    if not _LOADED:
        _LOADED = True
        import actlab.catalog  # noqa: F401  (registers every built-in entry)
        from actlab import user_registry

        user_registry.load_user_activations()


def resolve(name: str) -> str:
    """The canonical name for a name or alias, or UnknownActivation with the closest matches."""
    _ensure_loaded()
    if not isinstance(name, str):
        raise TypeError(f"an activation name must be a string; got {name!r} of type {type(name).__name__}")
    key = _key(name)
    if key in _SPECS:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    squashed = {_squash(n): n for n in (*_SPECS, *_ALIASES)}
    if _squash(name) in squashed:
        hit = squashed[_squash(name)]
        return _ALIASES.get(hit, hit)
    candidates = [*_SPECS, *_ALIASES]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
    close = list(dict.fromkeys(close))
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownActivation(f"Unknown activation {name!r}.{hint} Available: {', '.join(names())}.")


def spec(name: str | Activation | BoundActivation) -> Activation:
    if isinstance(name, Activation):
        return name
    if isinstance(name, BoundActivation):
        return name.spec
    return _SPECS[resolve(name)]


def get(name: str | Activation | BoundActivation, **params: Any) -> BoundActivation:
    """Return the activation ``name`` with ``params`` bound (defaults for the rest).

    >>> import actlab
    >>> actlab.get("Leaky-ReLU", alpha=0.1)(-2.0)
    np.float64(-0.2)
    """
    if isinstance(name, BoundActivation):
        return name.spec.bind(**{**name.params, **params})
    return spec(name).bind(**params)


def names(kind: str | None = None, source: str | None = None) -> list[str]:
    """Canonical names, in catalog order; ``kind`` selects e.g. only "elementwise" ones."""
    _ensure_loaded()
    return [
        n for n, s in _SPECS.items() if (kind is None or s.kind == kind) and (source is None or s.source == source)
    ]


def aliases() -> dict[str, str]:
    """Alias -> canonical name."""
    _ensure_loaded()
    return dict(_ALIASES)


def specs(kind: str | None = None) -> list[Activation]:
    return [_SPECS[n] for n in names(kind)]
