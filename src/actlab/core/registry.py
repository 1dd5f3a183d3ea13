"""The name registry: one entry per activation, forgiving look-ups, did-you-mean errors.

The registry is passive: it holds what is registered and nothing else. ``import actlab`` fills it (every catalog
declaration, bound to its kernels, see ``actlab/__init__.py``); user formulas from ``actlab.toml`` come in only when
:func:`actlab.load_user_activations` is called (the ``actlab`` command does it at its start).

A declaration may come without kernels (only its formula): :func:`register` passes every spec through the binder
that ``actlab.kernels`` installs with :func:`set_binder`, which attaches the hand-written kernels registered for
the name, or kernels generated from the formula.
"""

from __future__ import annotations

import difflib
from typing import Any

from typing import Callable

from actlab.core.errors import RegistrationError, UnknownActivation
from actlab.core.spec import Activation, BoundActivation

_SPECS: dict[str, Activation] = {}  # canonical name -> spec, in registration order
# Registered names whose spec is built on first look-up (user formulas: compiling one takes SymPy's time):
# canonical name -> (build, kind, source). build() registers the real spec and returns it.
_PENDING: dict[str, tuple[Callable[[], Activation], str, str]] = {}
_ALIASES: dict[str, str] = {}  # alias -> canonical name
_BINDER: Callable[[Activation], Activation] = lambda spec: spec  # noqa: E731  (until actlab.kernels sets one)


def set_binder(binder: Callable[[Activation], Activation]) -> None:
    """The function that gives a declaration its kernels at registration (installed by ``actlab.kernels``)."""
    global _BINDER
    _BINDER = binder


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
    taken = {**{n: n for n in (*_SPECS, *_PENDING)}, **_ALIASES}
    for label in (name, *map(_key, spec.aliases)):
        owner = taken.get(label)
        if owner is not None and not (replace and owner == name):
            raise RegistrationError(f"cannot register {spec.name!r}: the name {label!r} already belongs to {owner!r}")
    spec = _BINDER(spec)
    if replace and (name in _SPECS or name in _PENDING):
        unregister(name)
    _SPECS[name] = spec
    for alias in spec.aliases:
        _ALIASES[_key(alias)] = name
    return spec


def register_lazy(name: str, build: Callable[[], Activation], *, kind: str = "elementwise",
                  source: str = "user") -> None:
    """Register ``name`` now and build its spec on its first look-up: ``build()`` registers the spec and returns it.

    Replaces an earlier entry of the same name from the same ``source``; a name of another source is taken.
    """
    key = _key(name)
    owner = key if key in _SPECS or key in _PENDING else _ALIASES.get(key)
    if owner is not None:
        current = _PENDING[owner][2] if owner in _PENDING else _SPECS[owner].source
        if owner != key or current != source:
            raise RegistrationError(f"cannot register {name!r}: the name already belongs to {owner!r}")
        unregister(owner)
    _PENDING[key] = (build, kind, source)


def is_pending(name: str) -> bool:
    """True while ``name`` is registered lazily and not built yet."""
    return _key(name) in _PENDING


def _materialize(key: str) -> Activation:
    build, kind, source = _PENDING.pop(key)
    try:
        return build()
    except BaseException:
        _PENDING[key] = (build, kind, source)  # still registered: the next look-up reports the same error
        raise


def unregister(name: str) -> None:
    canonical = resolve(name)
    if _PENDING.pop(canonical, None) is not None:
        return
    del _SPECS[canonical]
    for alias in [a for a, c in _ALIASES.items() if c == canonical]:
        del _ALIASES[alias]


def resolve(name: str) -> str:
    """The canonical name for a name or alias, or UnknownActivation with the closest matches."""
    if not isinstance(name, str):
        raise TypeError(f"an activation name must be a string; got {name!r} of type {type(name).__name__}")
    key = _key(name)
    if key in _SPECS or key in _PENDING:
        return key
    if key in _ALIASES:
        return _ALIASES[key]
    squashed = {_squash(n): n for n in (*_SPECS, *_PENDING, *_ALIASES)}
    if _squash(name) in squashed:
        hit = squashed[_squash(name)]
        return _ALIASES.get(hit, hit)
    candidates = [*_SPECS, *_PENDING, *_ALIASES]
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.6)
    close = list(dict.fromkeys(close))
    hint = f" Did you mean {', '.join(repr(c) for c in close)}?" if close else ""
    raise UnknownActivation(f"Unknown activation {name!r}.{hint} Available: {', '.join(names())}.")


def spec(name: str | Activation | BoundActivation) -> Activation:
    if isinstance(name, Activation):
        return name
    if isinstance(name, BoundActivation):
        return name.spec
    key = resolve(name)
    return _SPECS[key] if key in _SPECS else _materialize(key)


def get(name: str | Activation | BoundActivation, **params: Any) -> BoundActivation:
    """Return the activation ``name`` with ``params`` bound (defaults for the rest).

    >>> import actlab
    >>> actlab.get("Leaky-ReLU", alpha=0.1)(-2.0)
    np.float64(-0.2)
    """
    if isinstance(name, BoundActivation):
        return name.spec.bind(**{**name.params, **params})
    found = spec(name)
    return found.bind(**params) if params else found.default


def names(kind: str | None = None, source: str | None = None) -> list[str]:
    """Canonical names, in catalog order; ``kind`` selects e.g. only "elementwise" ones."""
    entries = [*((n, s.kind, s.source) for n, s in _SPECS.items()), *((n, k, s) for n, (_, k, s) in _PENDING.items())]
    return [n for n, k, s in entries if (kind is None or k == kind) and (source is None or s == source)]


def aliases() -> dict[str, str]:
    """Alias -> canonical name."""
    return dict(_ALIASES)


def specs(kind: str | None = None) -> list[Activation]:
    return [spec(n) for n in names(kind)]
