"""The lab's site builder: generated JavaScript and MathML, determinism, placeholders, stored results, the CLI."""

from __future__ import annotations

import json
import threading
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import sympy as sp

import actlab
from actlab.cli import main
from actlab.report.lab import LabError, build, make_server
from actlab import mathml
from actlab.report.lab import catalog_data, jsexport
from actlab.report.lab.html import esc
from actlab.report.lab.pages import leaderboard
from actlab.report.lab.site import Site
from actlab.report.lab.sources import Missing

from _lab_helpers import fake_results, fake_search, html_files

x, alpha = sp.Symbol("x", real=True), sp.Symbol("alpha", real=True)


# --- JavaScript printer ---------------------------------------------------------------------------------------------

def test_js_printer_reads_parameters_from_p_and_prints_piecewise_on_one_line():
    code = jsexport.to_js(sp.Piecewise((alpha * x, x <= 0), (x, True)), ("alpha",))
    assert code == '((x <= 0) ? (p["alpha"]*x) : (x))'


def test_js_printer_maps_special_functions_to_the_lab_runtime():
    assert "A.erf(" in jsexport.to_js(sp.erf(x / sp.sqrt(2)))
    assert jsexport.to_js(sp.Heaviside(x)) == "A.heaviside(x, 1/2)"
    assert jsexport.to_js(sp.Max(0, x)) == "Math.max(0, x)"


def test_js_printer_refuses_what_it_cannot_express():
    with pytest.raises(jsexport.JSExportError, match="free symbols"):
        jsexport.to_js(x * sp.Symbol("beta"), ("alpha",))
    i = sp.Symbol("i", integer=True)
    with pytest.raises(jsexport.JSExportError, match="Sum"):
        jsexport.to_js(sp.Sum(x * i, (i, 0, 3)))


def test_every_elementwise_activation_exports_both_functions_or_says_why():
    for name in actlab.names(kind="elementwise"):
        e = catalog_data.entry(name)
        if e.js_f is None:
            assert e.js_error, f"{name}: no JavaScript and no reason"
        else:
            assert e.js_f.startswith("function (x, p) { return ") and e.js_df.startswith("function (x, p) { return ")


# --- MathML ---------------------------------------------------------------------------------------------------------

def test_mathml_of_every_formula_is_well_formed_xml():
    for name in actlab.names():
        e = catalog_data.entry(name)
        for markup in (e.formula_mathml, e.derivative_mathml):
            if markup:
                root = ET.fromstring(markup)  # raises on an unescaped '<' or a broken tag
                assert root.tag.endswith("math")


def test_mathml_prints_piecewise_as_rows_of_cases():
    markup = mathml.to_mathml(sp.Piecewise((0, x < 0), (x, True)))
    assert "<mtable" in markup and markup.count("<mtr>") == 2 and "otherwise" in markup and "&lt;" in markup


# --- the built site -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("lab")
    results = fake_results(base / "results")
    index = build(base / "site", results=[results], store=base / "no-store.sqlite",
                  search_store=fake_search(base / "search"))
    return index.parent


def test_build_writes_every_page_with_local_assets_only(lab):
    for page in ("index.html", "catalog.html", "compare.html", "experiments.html", "leaderboard.html",
                 "search.html", "choose.html", "diagnose.html"):
        assert (lab / page).is_file(), page
    for path in html_files(lab):
        text = path.read_text(encoding="utf-8")
        assert "http://" not in text.replace('xmlns="http://www.w3.org/1998/Math/MathML"', "")
        assert "https://" not in text, path


def test_catalog_has_a_card_per_registered_activation(lab):
    text = (lab / "catalog.html").read_text(encoding="utf-8")
    for name in actlab.names():
        assert f'id="act-{esc(name)}"' in text, name
    data = (lab / "data" / "catalog.js").read_text(encoding="utf-8")
    payload = json.loads(data.split("window.ACTLAB_CATALOG = ", 1)[1].split(";\n", 1)[0])
    assert [a["name"] for a in payload["activations"]] == actlab.names()


def test_build_is_deterministic(lab, tmp_path):
    # the same input (results, store) into another directory, everything recomputed: byte-identical files
    catalog_data.clear_cache()
    again = build(tmp_path / "site", results=[lab.parent / "results"], store=lab.parent / "no-store.sqlite",
                  search_store=lab.parent / "search" / "search.sqlite").parent
    first = sorted(p.relative_to(lab) for p in lab.rglob("*") if p.is_file())
    second = sorted(p.relative_to(again) for p in again.rglob("*") if p.is_file())
    assert first == second
    for rel in first:
        assert (lab / rel).read_bytes() == (again / rel).read_bytes(), rel


def test_stored_experiment_result_becomes_a_page_with_figure_and_verdict(lab):
    name = fake_results.name
    text = (lab / "experiments" / f"{name}.html").read_text(encoding="utf-8")
    assert "Verdict: confirmed at this scale" in text
    assert f'src="{name}/curve.svg"' in text and (lab / "experiments" / name / "curve.svg").is_file()
    assert "0.123" in text  # a number from result.json
    index = (lab / "experiments.html").read_text(encoding="utf-8")
    assert f'href="experiments/{name}.html"' in index


def test_missing_store_shows_a_placeholder_with_the_command(lab):
    text = (lab / "leaderboard.html").read_text(encoding="utf-8")
    assert "Not available yet" in text and "actlab compare" in text


def test_without_a_store_the_lab_shows_the_results_shipped_in_docs_results(tmp_path, monkeypatch):
    from actlab.report.lab import sources

    shipped = tmp_path / "docs" / "results"
    shipped.mkdir(parents=True)
    row = {"dataset": "mnist1d", "model": "mlp:100,100", "backend": "numpy", "activation": "gelu", "rank": 1,
           "runs": 5, "done": 5, "diverged": 0, "failed": 0, "score": "final_score", "mean": 0.5643, "std": 0.02,
           "ci_low": 0.536, "ci_high": 0.592, "mean_diff": None, "p": None, "p_holm": None, "effect": None,
           "mark": "", "recipe": {"model": "mlp:100,100", "backend": "numpy", "epochs": 20}}
    (shipped / sources.STORED_LEADERBOARD).write_text(json.dumps([row]), encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # no actlab-runs.sqlite here: the build falls back to docs/results
    assert sources.stored_result(sources.STORED_LEADERBOARD).resolve() == shipped / sources.STORED_LEADERBOARD
    site = build(tmp_path / "site", results=[])
    text = (site.parent / "leaderboard.html").read_text(encoding="utf-8")
    assert "shipped with actlab" in text and 'data-activation="gelu"' in text and "0.564" in text
    # a store of this directory wins over the shipped results, and an explicit --store is never replaced
    assert "Not available yet" in (build(tmp_path / "site2", results=[], store=tmp_path / "none.sqlite").parent
                                   / "leaderboard.html").read_text(encoding="utf-8")


def test_a_leaderboard_json_that_cannot_be_read_becomes_a_placeholder(tmp_path):
    from actlab.report.lab import sources

    bad = tmp_path / "leaderboard.json"
    bad.write_text("{not json", encoding="utf-8")
    missing = sources.leaderboard(bad)
    assert isinstance(missing, Missing) and "could not be read" in missing.reason


def test_leaderboard_renders_ci_and_significance():
    rows = [
        {"dataset": "iris", "model": "mlp:8", "backend": "numpy", "activation": a, "rank": r, "runs": 3, "done": 3,
         "diverged": 0, "failed": 0, "score": "final_score", "mean": m, "std": 0.01, "ci_low": m - 0.02,
         "ci_high": m + 0.02, "mean_diff": d, "p": p, "p_holm": p, "effect": 1.5, "mark": mark,
         "recipe": {"model": "mlp:8", "backend": "numpy", "epochs": 5}}
        for a, r, m, d, p, mark in (("gelu", 1, 0.95, 0.05, 0.01, "+"), ("relu", 2, 0.90, None, None, "base"),
                                    ("tanh", 3, 0.89, -0.01, 0.4, ""))
    ]
    site = Site(entries=[], accuracy=Missing("x"), experiments=[], experiments_problem=None, leaderboard=rows,
                store="runs.sqlite")
    text = leaderboard.render(site)["leaderboard.html"]
    assert "[0.93, 0.97]" in text and "significantly better than the baseline" in text
    assert text.index('data-activation="gelu"') < text.index('data-activation="relu"') < text.index('data-activation="tanh"')


def test_leaderboard_keeps_runs_of_different_recipes_apart():
    def row(act, epochs, mean):
        return {"dataset": "iris", "model": "mlp:8", "backend": "numpy", "activation": act, "rank": 1, "runs": 3,
                "done": 3, "diverged": 0, "failed": 0, "score": "final_score", "mean": mean, "std": 0.01,
                "ci_low": mean - 0.02, "ci_high": mean + 0.02, "mean_diff": None, "p": None, "p_holm": None,
                "effect": None, "mark": "base" if act == "relu" else "",
                "recipe": {"model": "mlp:8", "backend": "numpy", "epochs": epochs, "lr": 0.01, "batch_size": 100,
                           "optimizer": "adam"}}

    rows = [row("relu", 5, 0.8), row("gelu", 5, 0.81), row("relu", 50, 0.95), row("gelu", 50, 0.96)]
    assert len(leaderboard.groups(rows)) == 2  # same dataset, model and backend; different epochs
    site = Site(entries=[], accuracy=Missing("x"), experiments=[], experiments_problem=None, leaderboard=rows,
                store="runs.sqlite")
    text = leaderboard.render(site)["leaderboard.html"]
    assert text.count('<table class="data leaderboard">') == 2
    assert "epochs 5" in text and "epochs 50" in text


def test_search_page_shows_the_ranking_with_cis_swish_marks_and_curves(lab):
    text = (lab / "search.html").read_text(encoding="utf-8")
    report = json.loads((lab.parent / "search" / "search.search.json").read_text(encoding="utf-8"))
    assert 'id="search-final"' in text and 'id="search-rungs"' in text and 'id="search-all"' in text
    for r in report["final"]:
        assert f'data-name="{r["name"]}"' in text
    assert "x * sigmoid(x)" in text and "max(x, 0)" in text  # the Swish and ReLU baselines
    assert text.count('data-swish-like="yes"') == sum(r["swish_like"] for r in report["final"]) >= 1
    assert "swish-like</span>" in text and "95% CI" in text
    curves = json.loads(text.split('id="search-curves-data">', 1)[1].split("</script>", 1)[0])
    assert len(curves["series"]) == len(report["final"]) and len(curves["series"][0]["y"]) == 201
    assert 'href="search.html"' in (lab / "index.html").read_text(encoding="utf-8")  # linked from the nav/index


def test_search_page_without_results_says_how_to_run_one(tmp_path):
    from actlab.report.lab.pages import search as search_page
    from actlab.report.lab.sources import search as read_search

    found = read_search(tmp_path / "actlab-search.sqlite")
    assert isinstance(found, Missing)
    site = Site(entries=[], accuracy=Missing("x"), experiments=[], experiments_problem=None, leaderboard=[],
                store="runs.sqlite", search=found)
    text = search_page.render(site)["search.html"]
    assert "Not available yet" in text and "actlab search --budget 200" in text


def test_rebuild_refuses_a_directory_that_is_not_a_lab(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(LabError, match="not an actlab lab"):
        build(tmp_path, results=[])
    assert (tmp_path / "notes.txt").read_text() == "mine"


# --- the command ----------------------------------------------------------------------------------------------------

def test_cli_prints_the_index_path(tmp_path, capsys):
    out = tmp_path / "site"
    assert main(["lab", "--out", str(out), "--results", str(tmp_path / "none"), "--store", str(tmp_path / "s")]) == 0
    printed = capsys.readouterr().out.strip().splitlines()
    assert printed == [str((out / "index.html").resolve())]


def test_cli_bad_out_is_one_line_error(tmp_path, capsys):
    (tmp_path / "file").write_text("x")
    assert main(["lab", "--out", str(tmp_path / "file")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "must be a directory" in err[0]


def test_serve_serves_the_built_lab_on_localhost(lab):
    server, url = make_server(lab, 0)
    assert url.startswith("http://127.0.0.1:")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200 and b"actlab lab" in resp.read()
    finally:
        server.shutdown()
        server.server_close()


def test_serve_without_a_build_says_what_to_do(tmp_path):
    with pytest.raises(FileNotFoundError, match="actlab lab --out"):
        make_server(tmp_path, 0)
