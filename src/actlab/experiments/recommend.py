"""The seeds' advice — hidden layers: start with ReLU, Leaky ReLU if units die; outputs: sigmoid / softmax /
linear — as a recommendation backed by the experiments' measured results."""

from __future__ import annotations

from pathlib import Path

from actlab.experiments.runner import ExperimentError, load_result

TASKS = ("binary", "multiclass", "regression")

OUTPUTS = {
    "binary": {"activation": "sigmoid", "loss": "binary_cross_entropy",
               "why": "one logit; sigmoid + binary cross-entropy computed from the logit (the gradient is y_hat - y)"},
    "multiclass": {"activation": "softmax", "loss": "softmax_cross_entropy",
                   "why": "one logit per class; softmax + cross-entropy computed from the logits"},
    "regression": {"activation": "identity", "loss": "mse",
                   "why": "a linear (identity) output: any bounded or one-sided output clips the targets"},
}

# Which experiments back which part of the advice.
EVIDENCE = {
    "hidden": ("dying-relu", "sparsity", "cost", "swish-vs-relu"),
    "deep": ("vanishing-gradients", "self-normalization", "saturation", "dying-relu"),
    "output": ("output-layer",),
}


# The comparisons under the tuning protocol shipped in docs/results (`actlab compare ... --json`): they back the
# hidden-layer advice with a ranking in which every activation had its own tuned learning rate.
COMPARISONS = ("compare-mnist1d-protocol.json", "compare-cnn-protocol.json", "compare-transformer-protocol.json")


def comparison_evidence(directory: str | Path | None = None) -> list[dict]:
    """What the shipped protocol comparisons found: per comparison the top group at every budget, the verdict,
    each activation's chosen learning rate with validation and test means, and how it was measured (grid, budget,
    seeds, machine, wall time, command). Missing files are skipped."""
    import json

    directory = Path(directory) if directory is not None else \
        Path(__file__).resolve().parents[3] / "docs" / "results"
    out = []
    for name in COMPARISONS:
        path = directory / name
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        st = data.get("protocol", {})
        lm = str(st.get("model", "")).startswith("transformer")
        for dataset, block in (data.get("budget_sensitivity") or {}).items():
            rows = [r for r in data.get("rows", []) if r.get("dataset") == dataset]

            def mean(row, metric):
                v = ((row.get("metrics") or {}).get(metric) or {}).get("mean")
                return None if v is None else (-v if lm else v)

            out.append({
                "comparison": f"{dataset} · {st.get('model')} · {st.get('backend')}",
                "metric": "nats/char (lower is better)" if lm else "accuracy",
                "verdict": block.get("verdict"), "top_at_every_budget": block.get("top_at_every_budget", []),
                "kendall_tau": block.get("kendall_tau", {}),
                "ranking": [{"activation": r["activation"], "chosen_lr": (r.get("tuning") or {}).get("chosen_lr"),
                             "val": mean(r, "final_val_score"), "test": mean(r, "final_score"),
                             "top_group": bool(r.get("tied_best"))} for r in rows],
                "lr_grid": st.get("lr_grid"), "epochs": st.get("epochs"), "eval_seeds": st.get("eval_seeds"),
                "tuning_seeds": st.get("tuning_seeds"), "machine": data.get("machine"),
                "wall_seconds": data.get("wall_seconds"), "command": data.get("command"), "source": str(path),
            })
    return out


def default_results_dir() -> Path | None:
    """./out if it holds results, else the reference run stored with the docs (in a source checkout)."""
    candidates = [Path("out"), Path(__file__).resolve().parents[3] / "docs" / "experiments" / "results"]
    for c in candidates:
        if (c / "index.json").is_file() or any(c.glob("*/result.json")):
            return c
    return None


def _evidence(names, results_dir: Path | None) -> list[dict]:
    items = []
    for name in names:
        entry = {"experiment": name, "measured": False, "status": None, "finding": None,
                 "command": f"actlab experiment {name}"}
        if results_dir is not None:
            try:
                r = load_result(results_dir, name)
            except ExperimentError:
                r = None
            if r is not None:
                entry.update(measured=True, status=r.status, finding=r.verdict.split(" — ", 1)[-1],
                             source=str(r.path))
        items.append(entry)
    return items


def recommend(task: str, deep: bool = False, results_dir: str | Path | None = None) -> dict:
    """The recommendation for ``task`` ("binary", "multiclass" or "regression"), with evidence.

    ``results_dir`` holds experiment results (``actlab experiment all --out DIR``); by default ./out or the
    reference run shipped with the docs. Without results the advice stands, marked as not measured here.
    """
    if task not in TASKS:
        raise ExperimentError(f"task must be one of {', '.join(TASKS)}. Got {task!r}.")
    rdir = Path(results_dir) if results_dir is not None else default_results_dir()
    if rdir is not None and not rdir.is_dir():
        raise ExperimentError(f"--results {str(rdir)!r} is not a directory of experiment results.")
    hidden = {
        "activation": "relu", "init": "he_normal",
        "if_units_die": "leaky_relu",
        "alternatives": ["gelu", "silu"],
        "why": "ReLU is cheap, does not saturate for x > 0 and trains deep nets with He init; if many units stay "
               "at zero (a too-high learning rate, narrow deep layers), switch to Leaky ReLU; GELU/SiLU are smooth "
               "alternatives whose gains over ReLU are small and recipe-dependent.",
    }
    advice = {"task": task, "deep": deep, "hidden": hidden, "output": dict(OUTPUTS[task]),
              "results": str(rdir) if rdir else None}
    parts = ["hidden", "output"] + (["deep"] if deep else [])
    if deep:
        advice["deep_advice"] = (
            "Keep ReLU-family hidden layers with He initialisation (sigmoid's gradient shrinks ~4x per layer); "
            "avoid narrow deep ReLU stacks (they can be dead at initialisation) and too-high learning rates; for a "
            "plain deep MLP without normalisation layers, SELU with LeCun-normal init keeps activations at mean 0, "
            "variance 1.")
        advice["deep_alternative"] = {"activation": "selu", "init": "lecun_normal"}
    seen, evidence = set(), []
    for part in parts:
        for item in _evidence(EVIDENCE[part], rdir):
            if item["experiment"] not in seen:
                seen.add(item["experiment"])
                item["supports"] = part
                evidence.append(item)
    advice["evidence"] = evidence
    advice["comparisons"] = comparison_evidence()
    return advice


def format_advice(advice: dict) -> str:
    h, o = advice["hidden"], advice["output"]
    lines = [f"Task: {advice['task']}" + (" (deep network)" if advice["deep"] else ""),
             f"  hidden layers: {h['activation']} with {h['init']} init; {h['if_units_die']} if units die "
             f"(alternatives: {', '.join(h['alternatives'])})",
             f"  output layer:  {o['activation']} + {o['loss']} — {o['why']}"]
    if advice["deep"]:
        lines.append(f"  deep:          {advice['deep_advice']}")
    lines.append("Evidence" + (f" (from {advice['results']}):" if advice["results"] else
                               " (no stored results found; run the commands to measure):"))
    for e in advice["evidence"]:
        if e["measured"]:
            lines.append(f"  [{e['experiment']}] {e['status']}: {e['finding']}")
        else:
            lines.append(f"  [{e['experiment']}] not measured here — `{e['command']}`")
    comparisons = advice.get("comparisons") or []
    if comparisons:
        lines.append("Comparisons (learning rate tuned per activation on validation; docs/compare.md):")
    for c in comparisons:
        top = ", ".join(c["top_at_every_budget"]) or "none"
        verdict = {"winner": f"winner {top}", "tied": f"tied at the top at every budget: {top}",
                   "unstable": "no activation stays on top across budgets"}.get(c["verdict"], str(c["verdict"]))
        best = ", ".join(f"{r['activation']} {r['test']:.3f}" for r in c["ranking"][:4] if r["test"] is not None)
        seeds = len(c.get("eval_seeds") or [])
        lines.append(f"  [{c['comparison']}] {verdict}; test {c['metric']}: {best} ({seeds} seeds, "
                     f"{c['epochs']} epochs max) — `{c['command']}`")
    return "\n".join(lines)
