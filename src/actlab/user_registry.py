"""Activations users defined from a formula, persisted in ``actlab.toml``.

Where the file is (the first that applies):

1. ``$ACTLAB_CONFIG`` (a file path; tests and CI point it at a temporary file);
2. a project-local ``actlab.toml`` in the working directory or a parent (up to the project root: a directory with
   ``.git``, ``.hg`` or ``pyproject.toml``);
3. ``$XDG_CONFIG_HOME/actlab/actlab.toml`` (``~/.config/actlab/actlab.toml``).

The file keeps what the user typed, so that a definition is re-derived (and re-checked) with the current code::

    [activations.swish_beta]
    formula = "x * sigmoid(beta * x)"
    params = { beta = 1.0 }

Other tables in the file are preserved when it is rewritten (comments are not). Nothing reads the file
implicitly: :func:`load_user_activations` registers its entries when called (``actlab.load_user_activations()``;
the ``actlab`` command does it at its start), and each formula compiles on its first use.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import tomllib
import warnings
from pathlib import Path
from typing import Any

from actlab.core import registry
from actlab.core.errors import ActlabError

ENV = "ACTLAB_CONFIG"
FILENAME = "actlab.toml"
TABLE = "activations"


def _project_file(start: Path | None = None) -> Path | None:
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        if (d / FILENAME).is_file():
            return d / FILENAME
        if any((d / marker).exists() for marker in (".git", ".hg", "pyproject.toml")):
            return None
    return None


def config_path() -> Path:
    """The user registry file in use (it need not exist yet)."""
    env = os.environ.get(ENV)
    if env:
        return Path(env).expanduser()
    local = _project_file()
    if local is not None:
        return local
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "actlab" / FILENAME


def read(path: Path | None = None) -> dict[str, Any]:
    """The whole TOML document ({} if the file does not exist)."""
    path = Path(path) if path is not None else config_path()
    if not path.is_file():
        return {}
    with open(path, "rb") as fh:
        try:
            return tomllib.load(fh)
        except tomllib.TOMLDecodeError as err:
            raise ActlabError(f"{path}: not valid TOML: {err}") from None


def entries(path: Path | None = None) -> dict[str, dict[str, Any]]:
    """name -> {"formula": str, "params": {name: float}} as stored."""
    table = read(path).get(TABLE, {})
    return table if isinstance(table, dict) else {}


def save(name: str, formula: str, params: dict[str, float], path: Path | None = None) -> Path:
    """Add or replace one definition in the file; returns the file written."""
    path = Path(path) if path is not None else config_path()
    doc = read(path)
    table = doc.setdefault(TABLE, {})
    table[name] = {"formula": formula, "params": {k: float(v) for k, v in params.items()}}
    _write(path, doc)
    return path


def remove(name: str, path: Path | None = None) -> bool:
    """Delete one definition from the file; False if it was not there."""
    path = Path(path) if path is not None else config_path()
    doc = read(path)
    table = doc.get(TABLE, {})
    if name not in table:
        return False
    del table[name]
    _write(path, doc)
    return True


def load_user_activations(path: Path | None = None) -> list[str]:
    """Register the activations saved by ``actlab define``; returns their names.

    Called at a documented moment only: by ``actlab.load_user_activations()`` (the ``actlab`` command calls it at
    its start, a comparison worker before its run). Each entry is registered by name and compiled on its first use
    (``actlab.get(name)``), so loading 50 formulas costs a file read, not 50 compilations. An entry that cannot be
    used (not a table with a string 'formula', a name the catalog has taken) is skipped with a warning; a formula
    the current version refuses raises its FormulaError, naming the file, when it is first used. Loading again
    keeps the activations already compiled from the same formula and parameters.
    """
    try:
        stored = entries(path)
    except Exception as err:  # an unreadable file must not break every command
        warnings.warn(f"actlab: ignoring the user registry: {err}", UserWarning, stacklevel=2)
        return []
    where = path or config_path()
    loaded: list[str] = []
    for name, entry in stored.items():
        try:
            formula, params = _entry(entry)
            _register(name, formula, params, where)
        except (ActlabError, ValueError, TypeError) as err:
            warnings.warn(f"{where}: skipped the user activation {name!r}: {str(err).splitlines()[0]}", UserWarning,
                          stacklevel=2)
            continue
        loaded.append(name)
    return loaded


def _entry(entry: Any) -> tuple[str, dict[str, float]]:
    if not isinstance(entry, dict) or not isinstance(entry.get("formula"), str):
        raise ActlabError("the entry needs a string 'formula'")
    params = entry.get("params", {})
    if not isinstance(params, dict) or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                               for v in params.values()):
        raise ActlabError("'params' must be a table of numbers")
    return entry["formula"], params


def _register(name: str, formula: str, params: dict[str, float], where: Path) -> None:
    if name in registry.names(source="user") and not registry.is_pending(name):
        from actlab.formula.define import definition  # loaded already: name was compiled in this process

        try:
            d = definition(name)
        except ActlabError:  # registered by hand, not from a formula: replaced below
            d = None
        if d is not None and d.text == formula and d.defaults == {k: float(v) for k, v in params.items()}:
            return  # compiled already, from the same text

    def build():
        # The formula compiler (SymPy) loads when a formula is first used, not with the file: the CLI starts fast.
        from actlab.formula.define import define

        try:
            return define(name, formula, check=False, **params)
        except ActlabError as err:
            raise type(err)(f"{where}: the user activation {name!r}: {err}") from None

    registry.register_lazy(name, build, source="user")


# --- a small TOML writer (tomllib only reads) -------------------------------------------------------------------
_BARE = re.compile(r"[A-Za-z0-9_-]+\Z")


def _key(k: str) -> str:
    return k if _BARE.match(k) else _string(k)


def _string(s: str) -> str:
    out = []
    for ch in s:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append({"\n": "\\n", "\t": "\\t", "\r": "\\r"}.get(ch, f"\\u{ord(ch):04X}"))
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        if math.isinf(v):
            return "inf" if v > 0 else "-inf"
        text = repr(v)
        return text if any(c in text for c in ".en") else text + ".0"
    if isinstance(v, str):
        return _string(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_value(i) for i in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(i)}" for k, i in v.items()) + "}"
    if hasattr(v, "isoformat"):  # dates and times read by tomllib
        return v.isoformat()
    raise TypeError(f"cannot write {type(v).__name__} to TOML")


def _is_table(v: Any) -> bool:
    """Dicts holding dicts become [tables]; flat dicts are written inline."""
    return isinstance(v, dict) and any(isinstance(i, dict) for i in v.values())


def dumps(doc: dict[str, Any]) -> str:
    lines: list[str] = []

    def emit(table: dict[str, Any], prefix: tuple[str, ...]) -> None:
        scalars = {k: v for k, v in table.items() if not _is_table(v)}
        if prefix and (scalars or not table):
            lines.append(f"[{'.'.join(_key(p) for p in prefix)}]")
        for k, v in scalars.items():
            lines.append(f"{_key(k)} = {_value(v)}")
        if scalars:
            lines.append("")
        for k, v in table.items():
            if _is_table(v):
                emit(v, (*prefix, k))

    emit(doc, ())
    return "\n".join(lines).rstrip() + "\n"


def _write(path: Path, doc: dict[str, Any]) -> None:
    """Write atomically: a temporary file in the same directory, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = "# actlab user registry: activations defined with `actlab define` (edit with care)\n\n"
    fd, tmp = tempfile.mkstemp(prefix=".actlab-", suffix=".toml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(header + dumps(doc))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
