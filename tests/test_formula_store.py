"""The user registry file (actlab.toml): round trip, discovery, loading, and the `actlab define` command."""

from __future__ import annotations

import json
import tomllib
import warnings

import numpy as np
import pytest

import actlab
from actlab import user_registry
from actlab.formula import FormulaWarning, undefine


@pytest.fixture
def store(tmp_path, monkeypatch):
    path = tmp_path / "cfg" / "actlab.toml"
    monkeypatch.setenv("ACTLAB_CONFIG", str(path))
    yield path
    for name in actlab.names(source="user"):
        if name.startswith("s_"):
            undefine(name)


def test_round_trip(store):
    user_registry.save("s_a", 'x * sigmoid(beta * x) + "quoted" if False else x', {"beta": 1.25})
    user_registry.save("s_b", "x", {})
    assert user_registry.entries(store) == {
        "s_a": {"formula": 'x * sigmoid(beta * x) + "quoted" if False else x', "params": {"beta": 1.25}},
        "s_b": {"formula": "x", "params": {}},
    }
    assert user_registry.remove("s_a", store) is True
    assert user_registry.remove("s_a", store) is False
    assert list(user_registry.entries(store)) == ["s_b"]


def test_other_tables_survive_a_rewrite(store):
    store.parent.mkdir(parents=True)
    store.write_text('title = "mine"\n[tool.lab]\nout = "x\\\\y"\nn = [1, 2.5, true]\n', encoding="utf-8")
    user_registry.save("s_a", "x", {})
    doc = tomllib.loads(store.read_text(encoding="utf-8"))
    assert doc["title"] == "mine" and doc["tool"]["lab"] == {"out": "x\\y", "n": [1, 2.5, True]}


@pytest.mark.parametrize("value", ["plain", 'q"uote', "back\\slash", "tab\tnew\nline", "\u00e9\u4e2d", "\x01"])
def test_toml_writer_escapes_strings(value):
    doc = {"a": {"b": {"s": value, "f": 1e-300, "i": -3, "inf": float("inf")}}}
    assert tomllib.loads(user_registry.dumps(doc)) == doc


def test_project_file_wins_over_user_config(tmp_path, monkeypatch):
    monkeypatch.delenv("ACTLAB_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    project = tmp_path / "proj"
    (project / "sub").mkdir(parents=True)
    (project / "pyproject.toml").write_text("")
    monkeypatch.chdir(project / "sub")
    assert user_registry.config_path() == tmp_path / "xdg" / "actlab" / "actlab.toml"
    (project / "actlab.toml").write_text("")
    assert user_registry.config_path() == project / "actlab.toml"


def test_load_registers_lazily_and_skips_unusable_entries(store):
    user_registry.save("s_ok", "x * tanh(softplus(x))", {})
    user_registry.save("s_uses", "2 * s_ok(x)", {})
    user_registry.save("s_bad", "__import__('os')", {})
    user_registry.save("relu", "x", {})  # a catalog name: skipped, the catalog entry is untouched
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = user_registry.load_user_activations(store)
    skipped = " ".join(str(w.message) for w in caught)
    assert "skipped the user activation 'relu'" in skipped
    assert sorted(loaded) == ["s_bad", "s_ok", "s_uses"]
    assert actlab.registry.is_pending("s_ok") and actlab.registry.is_pending("s_uses")  # nothing compiled yet
    np.testing.assert_allclose(actlab.get("s_uses")(1.0), 2 * actlab.get("s_ok")(1.0))  # s_ok compiled on the way
    assert not actlab.registry.is_pending("s_ok")
    with pytest.raises(actlab.FormulaError, match=r"actlab\.toml: the user activation 's_bad'"):
        actlab.get("s_bad")
    with pytest.raises(actlab.FormulaError, match="s_bad"):  # still registered: the same error again
        actlab.get("s_bad")
    assert actlab.spec("relu").source == "catalog"


def test_user_registry_loads_only_when_asked(store):
    user_registry.save("s_asked", "x * sigmoid(x)", {})
    assert "s_asked" not in actlab.names()  # actlab.get never reads the file by itself
    assert actlab.load_user_activations() == ["s_asked"]
    kept = actlab.get("s_asked")
    assert actlab.load_user_activations() == ["s_asked"]  # loading again keeps the compiled activation
    assert actlab.get("s_asked") is kept


def test_define_returns_what_get_returns(store):
    made = actlab.define("s_same", "x * tanh(x)", check=False)
    assert made is actlab.get("s_same") and float(made(1.0)) == float(np.tanh(1.0))


def test_cli_define_list_remove(store, actlab_cli):
    r = actlab_cli("define", "s_cli", "log(1+exp(beta*x))", "--param", "beta=2")
    assert r.returncode == 0, r.stderr
    assert "softplus" in r.stdout and "saved to" in r.stdout
    assert user_registry.entries(store)["s_cli"] == {"formula": "log(1+exp(beta*x))", "params": {"beta": 2.0}}
    assert actlab.get("s_cli")(1000.0) == 2000.0

    r = actlab_cli("define", "s_cli2", "x * sigmoid(x)", "--json")
    info = json.loads(r.stdout)
    assert info["properties"]["monotonic"] is False and info["derivative"] and info["latex"]

    listed = actlab_cli("define", "--list")
    assert "s_cli" in listed.stdout and "s_cli2" in listed.stdout

    removed = actlab_cli("define", "--remove", "s_cli")
    assert removed.returncode == 0 and "s_cli" not in user_registry.entries(store)
    assert "s_cli" not in actlab.names()


def test_cli_define_bad_input_is_one_error(store, actlab_cli):
    r = actlab_cli("define", "s_x", "x + __import__('os')")
    assert r.returncode != 0 and "error" in r.stderr and "^" in r.stderr
    assert not store.exists()
    r = actlab_cli("define", "s_x", "x*beta", "--param", "beta")
    assert r.returncode != 0 and "NAME=VALUE" in r.stderr
    r = actlab_cli("define", "--remove", "s_missing")
    assert r.returncode != 0


def test_cli_refuses_removing_a_dependency(store, actlab_cli):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FormulaWarning)
        assert actlab_cli("define", "s_base", "x*sigmoid(x)").returncode == 0
        assert actlab_cli("define", "s_top", "s_base(x) + x").returncode == 0
    r = actlab_cli("define", "--remove", "s_base")
    assert r.returncode != 0 and "s_top" in r.stderr
