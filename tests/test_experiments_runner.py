"""The experiment runner, its result files, the docs generator and the `actlab experiment` / `recommend` CLI."""

from __future__ import annotations

import json

import pytest

import actlab
from actlab import experiments
from actlab.cli import main
from actlab.experiments.docs import write_docs
from actlab.experiments.index import load_index, run_all

ISSUE_ORDER = ["linear-collapse", "vanishing-gradients", "dying-relu", "sparsity", "zero-centering", "saturation",
               "universal-approximation", "cost", "output-layer", "self-normalization", "swish-vs-relu",
               "nalu-arithmetic"]


def test_registry_lists_the_twelve_experiments_with_claims():
    assert experiments.names() == ISSUE_ORDER
    for name in experiments.names():
        assert experiments.title(name)
        assert len(experiments.claim(name)) > 60
        assert ".txt" in experiments.seed_source(name)
        exp = experiments.get(name)
        for act in (*exp.activations, *exp.full_activations, *exp.required):
            actlab.resolve(act)  # every default activation exists in the catalog


def test_unknown_experiment_says_did_you_mean():
    with pytest.raises(experiments.ExperimentError, match="Did you mean 'dying-relu'"):
        experiments.get("dying-rellu")


def test_unknown_activation_is_refused_before_running(tmp_path):
    with pytest.raises(actlab.UnknownActivation, match="Did you mean"):
        experiments.run("zero-centering", activations="sigmoud", out=tmp_path)
    with pytest.raises(experiments.ExperimentError, match="elementwise"):
        experiments.run("zero-centering", activations="softmax", out=tmp_path)
    with pytest.raises(experiments.ExperimentError, match="seed"):
        experiments.run("zero-centering", seed=-1, out=tmp_path)


def _deterministic(path):
    data = json.loads(path.read_text())
    data.pop("meta")
    return data


def test_same_seed_same_numbers_and_byte_identical_figures(tmp_path):
    a = experiments.run("zero-centering", seed=3, out=tmp_path / "a")
    b = experiments.run("zero-centering", seed=3, out=tmp_path / "b")
    assert _deterministic(a.path) == _deterministic(b.path)
    assert a.settings["seed"] == 3
    for fa, fb in zip(a.figures, b.figures):
        assert fa.read_bytes() == fb.read_bytes(), fa.name
    c = experiments.run("zero-centering", seed=4, out=tmp_path / "c")
    assert _deterministic(c.path)["numbers"] != _deterministic(a.path)["numbers"]


def test_result_file_layout_and_load_result(tmp_path):
    r = experiments.run("self-normalization", activations="relu", out=tmp_path)
    data = json.loads((tmp_path / "self-normalization" / "result.json").read_text())
    assert data["settings"]["seed"] == 0 and data["settings"]["quick"] is True
    assert data["settings"]["activations"] == ["relu", "selu"]  # SELU is the experiment's baseline: always run
    assert {"seconds", "date", "host", "versions"} <= set(data["meta"])
    assert data["summary"].splitlines()[-1] == data["verdict"]
    assert {p.suffix for p in r.figures} == {".png", ".svg"}
    assert all(p.exists() and p.stat().st_size > 1000 for p in r.figures)
    svg = next(p for p in r.figures if p.suffix == ".svg").read_text()
    assert "<dc:date>" not in svg
    back = experiments.load_result(tmp_path, "self-normalization")
    assert back.numbers == r.numbers and back.verdict == r.verdict and back.figures == r.figures
    with pytest.raises(experiments.ExperimentError, match="actlab experiment sparsity"):
        experiments.load_result(tmp_path, "sparsity")


def test_run_all_writes_an_index_and_docs_pages(tmp_path):
    index = run_all(out=tmp_path / "res", only=["zero-centering", "self-normalization"])
    assert [e["name"] for e in index["experiments"]] == ["zero-centering", "self-normalization"]
    assert load_index(tmp_path / "res") == index
    pages = write_docs(tmp_path / "res", tmp_path / "docs")
    assert {p.name for p in pages} == {"index.md", "zero-centering.md", "self-normalization.md"}
    text = (tmp_path / "docs" / "self-normalization.md").read_text()
    for part in ("## The claim", "actlab experiment self-normalization", "## Verdict", "Verdict: ",
                 "![self-normalization", "## Where the seeds are wrong or overstated"):
        assert part in text
    assert "../res/self-normalization/self_normalization.png" in text
    from actlab.experiments.index import update_index

    rerun = experiments.run("zero-centering", seed=1, out=tmp_path / "res")
    update_index(tmp_path / "res", rerun)
    assert [e["name"] for e in load_index(tmp_path / "res")["experiments"]] == ["zero-centering",
                                                                                "self-normalization"]
    index_md = (tmp_path / "docs" / "index.md").read_text()
    assert "not run" in index_md and "[SELU keeps" in index_md


def test_cli_list_run_and_errors(tmp_path, capsys):
    assert main(["experiment", "list"]) == 0
    assert "nalu-arithmetic" in capsys.readouterr().out
    assert main(["experiment", "zero-centering", "--activations", "sigmoid,tanh", "--seed", "2",
                 "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip().splitlines()[-1].startswith("Verdict: ")
    assert json.loads((tmp_path / "zero-centering" / "result.json").read_text())["settings"]["seed"] == 2
    assert main(["experiment", "zero-centring", "--out", str(tmp_path)]) == 2
    assert "Did you mean 'zero-centering'" in capsys.readouterr().err
    assert main(["experiment", "all", "--activations", "relu", "--out", str(tmp_path)]) == 2
    assert "--activations" in capsys.readouterr().err


def test_recommend_cli_gives_the_seeds_advice_with_evidence(tmp_path, capsys):
    experiments.run("output-layer", out=tmp_path)
    for task, output in (("binary", "sigmoid"), ("multiclass", "softmax"), ("regression", "linear")):
        assert main(["recommend", "--task", task, "--results", str(tmp_path)]) == 0
        text = capsys.readouterr().out
        assert "relu" in text.lower() and output in text.lower()
    assert main(["recommend", "--task", "regression", "--results", str(tmp_path), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["output"]["activation"] == "identity"
    assert any(e["experiment"] == "output-layer" and e["measured"] for e in data["evidence"])
    assert main(["recommend", "--task", "binary", "--deep", "--results", str(tmp_path)]) == 0
    assert "he" in capsys.readouterr().out.lower()
    with pytest.raises(SystemExit) as exc:  # argparse refuses the choice: one line on stderr, exit 2
        main(["recommend", "--task", "clustering"])
    assert exc.value.code == 2
    assert "invalid choice: 'clustering'" in capsys.readouterr().err
