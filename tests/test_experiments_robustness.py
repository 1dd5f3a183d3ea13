"""The robustness check: cells at 1/2x, 1x, 2x the budget (4x where cheap) and 3 seed sets, the qualified verdict,
the block in result.json, the CLI flag; and the slow comparison of quick and full verdicts."""

from __future__ import annotations

import json
import os

import pytest

from actlab import experiments
from actlab.cli import main as cli_main
from actlab.experiments import robustness, runner
from actlab.experiments.runner import Experiment, Outcome


def _cell(budget, seed, status, value="x"):
    return {"budget": budget, "budget_value": f"{int(budget * 10)} epochs", "seed": seed, "status": status,
            "numbers": {"n": value}}


def test_one_status_everywhere_is_confirmed_at_every_budget_tried():
    cells = [_cell(b, s, "confirmed") for b in (0.5, 1.0, 2.0) for s in (0, 1, 2)]
    q = robustness.qualify(cells)
    assert q["stable"] and q["status"] == "confirmed"
    assert q["qualified"] == "confirmed at every budget tried (5 epochs to 20 epochs) and on 3 seed sets"


def test_a_status_that_changes_with_the_budget_says_up_to_where():
    cells = [_cell(0.5, 0, "confirmed"), _cell(1.0, 0, "confirmed"), _cell(2.0, 0, "not confirmed"),
             _cell(4.0, 0, "not confirmed"), _cell(1.0, 1, "confirmed")]
    q = robustness.qualify(cells)
    assert not q["stable"] and q["status"] == "partly"
    assert q["qualified"] == "depends on budget: confirmed up to 10 epochs, not confirmed from 20 epochs"


def test_seed_sets_that_disagree_at_one_budget_are_named():
    cells = [_cell(b, 0, "confirmed") for b in (0.5, 1.0, 2.0)] + [_cell(1.0, 1, "partly")]
    q = robustness.qualify(cells)
    assert not q["stable"]
    assert q["qualified"] == "confirmed at 5 epochs, 20 epochs; depends on the seed set at 10 epochs"


def test_decisive_numbers_are_found_inside_recorded_dicts():
    numbers = {"silu.vs_relu": {"mean_diff": 0.01, "ci": {"low": -0.1}}, "relu.mean": 0.6}
    assert robustness.lookup(numbers, "silu.vs_relu.mean_diff") == 0.01
    assert robustness.lookup(numbers, "silu.vs_relu.ci.low") == -0.1
    assert robustness.lookup(numbers, "relu.mean") == 0.6
    assert robustness.lookup(numbers, "gelu.mean") is None


def test_plan_is_a_grid_for_cheap_experiments_and_a_cross_otherwise():
    cheap = experiments.get("zero-centering")
    dear = experiments.get("swish-vs-relu")
    assert cheap.cheap and not dear.cheap
    assert len(robustness.plan(cheap)) == 4 * 3 and (4.0, 2) in robustness.plan(cheap)
    assert robustness.plan(dear) == [(0.5, 0), (1.0, 0), (2.0, 0), (1.0, 1), (1.0, 2)]


def test_every_experiment_names_its_decisive_numbers_and_scales_a_budget():
    for name in experiments.names():
        exp = experiments.get(name)
        assert exp.decisive, name
        assert exp.budget, name


@pytest.fixture
def budget_sensitive(monkeypatch):
    """A registered experiment whose claim holds only while its budget stays at most 10 steps."""

    def body(ctx):
        steps = ctx.budget(10)
        ctx.record(steps=steps, seed_used=ctx.seed)
        ctx.figure("never_drawn_in_a_cell", _figure())
        return Outcome("confirmed" if steps <= 10 else "not confirmed", f"ran {steps} steps", [f"{steps} steps"])

    exp = Experiment(name="toy-budget", title="toy", claim="holds for short budgets", seed_source="none",
                     body=body, activations=("relu",), budget="steps", decisive=("steps",))
    registry = dict(runner._load())
    registry[exp.name] = exp
    monkeypatch.setattr(runner, "_REGISTRY", registry)
    return exp


def _figure():
    from actlab.experiments.plotting import subplots

    fig, ax = subplots()
    ax.plot([0, 1], [0, 1])
    return fig


def test_robustness_block_and_qualified_verdict_end_to_end(budget_sensitive, tmp_path):
    result = experiments.run("toy-budget", seed=4, out=tmp_path, robustness=True)
    data = json.loads(result.path.read_text(encoding="utf-8"))
    block = data["robustness"]
    assert [(c["budget"], c["seed"]) for c in block["cells"]] == [(0.5, 4), (1.0, 4), (2.0, 4), (1.0, 5), (1.0, 6)]
    assert [c["numbers"]["steps"] for c in block["cells"]] == [5, 10, 20, 10, 10]
    assert [c["budget_value"] for c in block["cells"]][:3] == ["5 steps", "10 steps", "20 steps"]
    assert block["qualified"] == "depends on budget: confirmed up to 10 steps, not confirmed at 20 steps"
    assert block["main_status_reproduced"] is True
    # A claim that holds at one budget only is not confirmed: the status drops to "partly", the verdict says why.
    assert data["status"] == "partly"
    assert data["verdict"].startswith("Verdict: partly — depends on budget: confirmed up to 10 steps")
    assert "robustness_seconds" in data["meta"] and "seconds" not in block  # timings are meta, not numbers
    assert [p.name for p in result.figures] == ["never_drawn_in_a_cell.png", "never_drawn_in_a_cell.svg"]
    assert sorted(p.name for p in (tmp_path / "toy-budget").iterdir()) == [
        "never_drawn_in_a_cell.png", "never_drawn_in_a_cell.svg", "result.json"]  # cells draw nothing
    assert experiments.load_result(tmp_path, "toy-budget").robustness == block


def test_without_robustness_there_is_no_block_and_the_verdict_is_at_this_scale(budget_sensitive, tmp_path):
    data = json.loads(experiments.run("toy-budget", out=tmp_path).path.read_text(encoding="utf-8"))
    assert "robustness" not in data
    assert data["status"] == "confirmed" and data["verdict"] == "Verdict: confirmed at this scale — ran 10 steps"


def test_cli_robustness_json_on_a_real_experiment(tmp_path, capsys):
    assert cli_main(["experiment", "self-normalization", "--robustness", "--json", "--out", str(tmp_path)]) == 0
    data = json.loads(capsys.readouterr().out)
    block = data["robustness"]
    assert [(c["budget"], c["seed"]) for c in block["cells"]] == robustness.plan(experiments.get("self-normalization"))
    assert block["budget_of"] == "input samples" and block["activations"] == ["selu"]
    assert [c["budget_value"] for c in block["cells"][:3]] == ["256 input samples", "512 input samples",
                                                                "1024 input samples"]
    for c in block["cells"]:
        assert 0.8 <= c["numbers"]["selu.standard.layer50_var"] <= 1.25
    assert block["stable"] and data["verdict"].startswith("Verdict: confirmed at every budget tried")
    assert any(name.startswith("robustness") for name in data["tables"])


# --- quick against full (minutes to an hour on 2 cores: opt in with ACTLAB_FULL_FORMS=1, `make test-full-forms`) ---

FULL_FORMS = os.environ.get("ACTLAB_FULL_FORMS") == "1"


@pytest.mark.slow
@pytest.mark.skipif(not FULL_FORMS, reason="runs full forms (up to an hour on 2 cores); set ACTLAB_FULL_FORMS=1")
@pytest.mark.parametrize("name", ["nalu-arithmetic", "swish-vs-relu"])
def test_quick_verdict_is_the_full_one_or_marked_indicative(name, tmp_path):
    quick = experiments.run(name, quick=True, out=tmp_path / "quick")
    full = experiments.run(name, quick=False, out=tmp_path / "full")
    assert not full.indicative and "indicative" not in full.verdict
    if quick.status != full.status:
        assert quick.indicative and quick.verdict.startswith("Verdict: indicative (quick form)"), (
            f"{name}: quick says {quick.status!r}, full says {full.status!r}, and the quick form is not marked "
            f"indicative")


def test_docs_and_readme_show_the_qualified_verdict(budget_sensitive, tmp_path):
    from actlab.experiments.docs import README_END, README_START, update_readme, write_docs

    experiments.run("toy-budget", out=tmp_path / "res", robustness=True)
    write_docs(tmp_path / "res", tmp_path / "docs")
    page = (tmp_path / "docs" / "toy-budget.md").read_text(encoding="utf-8")
    assert "## Does the verdict survive a change of budget?" in page
    assert "**depends on budget: confirmed up to 10 steps, not confirmed at 20 steps**" in page
    assert "| 20 steps (2x) | 0 | not confirmed | 20 |" in page
    index = (tmp_path / "docs" / "index.md").read_text(encoding="utf-8")
    assert "depends on budget: confirmed up to 10 steps" in index
    readme = tmp_path / "README.md"
    readme.write_text(f"# x\n\n{README_START}\nstale\n{README_END}\n\nrest\n", encoding="utf-8")
    assert update_readme(tmp_path / "res", readme)
    text = readme.read_text(encoding="utf-8")
    assert "stale" not in text and text.endswith("rest\n")
    assert "- [toy](docs/experiments/toy-budget.md): **partly** — depends on budget: confirmed up to 10 steps" in text
    assert "(`sparsity`): not run" in text
    (tmp_path / "plain.md").write_text("no markers\n", encoding="utf-8")
    assert not update_readme(tmp_path / "res", tmp_path / "plain.md")


def test_lab_experiment_page_shows_the_robustness_table_or_how_to_get_it(budget_sensitive, tmp_path):
    from actlab.report.lab.pages import experiments as lab_pages
    from actlab.report.lab.site import Site
    from actlab.report.lab.sources import ExperimentPage, Missing

    checked = experiments.run("toy-budget", out=tmp_path, robustness=True)
    pages = [ExperimentPage(name="toy-budget", title="toy", status=checked.status, verdict=checked.verdict,
                            tables=checked.tables, origin="test"),
             ExperimentPage(name="sparsity", title="sparse", status="confirmed", verdict="Verdict: confirmed at this "
                            "scale — x", tables={"t": {"columns": ["a"], "rows": [[1]]}}, origin="test")]
    site = Site(entries=[], accuracy=Missing("x"), experiments=pages, experiments_problem=None, leaderboard=[],
                store="runs.sqlite")
    files = lab_pages.render(site)
    text = files["experiments/toy-budget.html"]
    assert "Does the verdict survive a change of budget?" in text
    assert "depends on budget: confirmed up to 10 steps, not confirmed at 20 steps" in text
    assert "<td>20 steps (2x)</td>" in text and "--robustness" in text
    unchecked = files["experiments/sparsity.html"]
    assert "Not available yet" in unchecked and "actlab experiment sparsity --robustness" in unchecked
