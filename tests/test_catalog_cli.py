"""`actlab list`, `actlab show`, `actlab plot` end to end, including bad input (issue 2, item 6)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import actlab

NAMES = actlab.names()


def _one_line_error(result, *needles):
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for n in needles:
        assert n in lines[0], lines[0]


def test_list_plain_text_has_every_activation(actlab_cli):
    r = actlab_cli("list")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[0].split()[:3] == ["name", "kind", "formula"]
    assert [ln.split()[0] for ln in lines[1:]] == NAMES


def test_list_json_matches_the_registry(actlab_cli):
    r = actlab_cli("list", "--json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)
    assert [row["name"] for row in rows] == NAMES
    for row in rows:
        a = actlab.get(row["name"])
        assert row["kind"] == a.kind and row["formula"] == str(a.formula)
        assert row["monotonic"] == a.properties["monotonic"]
        assert len(row["range"]) == 2


def test_list_kind_filter(actlab_cli):
    rows = json.loads(actlab_cli("list", "--kind", "elementwise", "--json").stdout)
    assert [r["name"] for r in rows] == actlab.names(kind="elementwise")


@pytest.mark.parametrize("name", NAMES)
def test_show_every_activation(name, actlab_cli):
    r = actlab_cli("show", name)
    assert r.returncode == 0, r.stderr
    a = actlab.get(name)
    assert r.stdout.startswith(f"{name} ({a.kind})")
    assert str(a.formula) in r.stdout
    assert a.reference in r.stdout


@pytest.mark.parametrize("name", NAMES)
def test_show_json_values_are_the_library_values(name, actlab_cli):
    d = json.loads(actlab_cli("show", name, "--json").stdout)
    a = actlab.get(name)
    assert d["name"] == name and d["kind"] == a.kind
    v = d["values"]
    if a.kind == "elementwise":
        assert v["f"] == [float(a(x)) for x in v["x"]]
        assert v["derivative"] == [float(a.derivative(x)) for x in v["x"]]
        assert d["derivative"] == str(a.symbolic_derivative)
    else:
        assert v["f"] == a(v["x"]).tolist()


@pytest.mark.parametrize("spec", [s for s in actlab.specs() if s.params], ids=lambda s: s.name)
def test_show_with_a_parameter(spec, actlab_cli):
    p = spec.params[0]
    value = p.default if p.default != 0 else 0.5
    value = p.validate(value, spec.name)
    r = actlab_cli("show", spec.name, "--param", f"{p.name}={value}", "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["parameters"][p.name]["value"] == value


def test_show_alias_and_forgiving_spelling(actlab_cli):
    alias, canonical = next(iter(sorted(actlab.aliases().items())))
    r = actlab_cli("show", alias.upper().replace("_", "-"))
    assert r.returncode == 0 and r.stdout.startswith(canonical)


def test_show_unknown_name_suggests(actlab_cli):
    name = NAMES[-1]
    typo = name[:-1] + ("q" if name[-1] != "q" else "z")
    _one_line_error(actlab_cli("show", typo), "Unknown activation", repr(typo), "Did you mean")


def test_show_bad_parameter_value(actlab_cli):
    spec = next(s for s in actlab.specs() if s.params)
    p = spec.params[0]
    _one_line_error(actlab_cli("show", spec.name, "--param", f"{p.name}=nan"), repr(p.name), p.describe_range())
    _one_line_error(actlab_cli("show", spec.name, "--param", f"{p.name}=abc"), repr(p.name), "'abc'")
    _one_line_error(actlab_cli("show", spec.name, "--param", "no_such=1"), "no parameter 'no_such'")
    _one_line_error(actlab_cli("show", spec.name, "--param", p.name), "NAME=VALUE")


@pytest.mark.parametrize("suffix,magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_writes_the_file(tmp_path, actlab_cli, suffix, magic):
    out = tmp_path / f"acts{suffix}"
    elementwise = actlab.names(kind="elementwise")[:3]
    r = actlab_cli("plot", *elementwise, "--derivative", "--range=-3:3", "-o", out)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(out)
    assert out.read_bytes().startswith(magic)


def test_plot_every_kind(tmp_path, actlab_cli):
    """Non-elementwise activations are drawn along a slice; all of them in one figure."""
    out = tmp_path / "all.png"
    r = actlab_cli("plot", *NAMES, "-d", "-o", out)
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 10_000


def test_plot_parameter_goes_to_the_activations_that_have_it(tmp_path, actlab_cli):
    spec = next(s for s in actlab.specs("elementwise") if s.params)
    p = spec.params[0]
    r = actlab_cli("plot", spec.name, "relu", "--param", f"{p.name}={p.default}", "-o", tmp_path / "p.png")
    assert r.returncode == 0, r.stderr
    _one_line_error(actlab_cli("plot", "relu", "--param", "zzz=1", "-o", tmp_path / "q.png"), "'zzz'")


@pytest.mark.parametrize("bad", ["5:1", "a:b", "1", "0:inf", "1:2:3", "nan:1"])
def test_plot_bad_range(tmp_path, actlab_cli, bad):
    _one_line_error(actlab_cli("plot", "relu", f"--range={bad}", "-o", tmp_path / "x.png"), "--range", repr(bad))
    assert not (tmp_path / "x.png").exists()


def test_plot_bad_output_and_unknown_name(tmp_path, actlab_cli):
    _one_line_error(actlab_cli("plot", "relu", "-o", tmp_path / "x.pdf"), ".png or .svg")
    _one_line_error(actlab_cli("plot", "reluu", "-o", tmp_path / "x.png"), "Did you mean")
    r = actlab_cli("plot", "relu")  # -o is required: argparse's own one-line error
    assert r.returncode == 2 and "Traceback" not in r.stderr


def test_console_script_end_to_end(tmp_path):
    """The installed `actlab` entry point, in a real process."""
    cmd = [sys.executable, "-m", "actlab"]
    ok = subprocess.run([*cmd, "show", "relu"], capture_output=True, text=True)
    assert ok.returncode == 0 and ok.stdout.startswith("relu")
    bad = subprocess.run([*cmd, "show", "reluu"], capture_output=True, text=True)
    assert bad.returncode == 2 and bad.stdout == ""
    assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr
