"""playground.html: a small network trained live in the browser with any elementwise activation of the registry.

The page is static HTML and plain JavaScript (``assets/playground-train.js``: data, network, training, diagnostics;
``assets/playground.js``: controls, drawing, URL, the test API); the activations' f and f' come from
``data/playground.js``, generated at build time from the SymPy formulas (see ``playground_data``).
"""

from __future__ import annotations

from actlab.report.lab import playground_data
from actlab.report.lab.html import esc, page
from actlab.report.lab.site import Site

DATASETS = (("circle", "Circle", "classification"), ("xor", "XOR", "classification"),
            ("gauss", "Two gaussians", "classification"), ("spiral", "Spiral", "classification"),
            ("plane", "Plane", "regression"), ("multigauss", "Multi-gaussian", "regression"))
FEATURES = (("x", "x"), ("y", "y"), ("x2", "x\u00b2"), ("y2", "y\u00b2"), ("xy", "xy"), ("sinx", "sin x"),
            ("siny", "sin y"))
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REG_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
INITS = (("glorot", "Glorot (uniform)"), ("he", "He (normal)"), ("bad", "bad: all weights equal"),
         ("large", "bad: large N(0, 4\u00b2)"))


def _options(values, selected) -> str:
    return "".join(f'<option value="{esc(v)}"' + (" selected" if v == selected else "") + f">{esc(label)}</option>"
                   for v, label in values)


def _activation_select(found: list[playground_data.Kernel]) -> str:
    groups = []
    for source, label in (("catalog", "catalog"), ("user", "your formulas (actlab define)")):
        names = [k.name for k in found if k.source == source]
        if names:
            groups.append(f'<optgroup label="{esc(label)}">{_options([(n, n) for n in names], "tanh")}</optgroup>')
    return "".join(groups)


def _body(found: list[playground_data.Kernel], skipped: dict[str, str]) -> str:
    datasets = "".join(
        f'<button type="button" class="pg-ds" data-dataset="{v}" aria-pressed="false" title="{esc(kind)}">'
        f'<canvas width="40" height="40" aria-hidden="true"></canvas><span>{esc(label)}</span></button>'
        for v, label, kind in DATASETS)
    features = "".join(f'<label><input type="checkbox" name="feature" value="{v}"> {esc(label)}</label>'
                       for v, label in FEATURES)
    skipped_note = ""
    if skipped:
        items = "; ".join(f"{esc(n)}: {esc(why)}" for n, why in sorted(skipped.items()))
        skipped_note = f'<p class="note">Not available here (no JavaScript could be generated): {items}</p>'
    return f"""
<h1>Playground</h1>
<p class="lead">A small network trains live on 2-D data with any elementwise activation of the catalog (and your own
formulas). Each neuron draws its output over the plane; lines are weights (blue positive, orange negative, width by
size). The diagnostics are the ones <code>actlab.torch.Monitor</code> reports: watch ReLU units die, sigmoid stacks
stop learning, a linear network collapse &mdash; then click the cure.</p>
{skipped_note}
<div id="playground" class="pg">
<div class="pg-bar" role="toolbar" aria-label="Training">
  <button type="button" id="pg-play" class="pg-main" aria-pressed="false">Play</button>
  <button type="button" id="pg-step">Step</button>
  <button type="button" id="pg-reset">Reset</button>
  <label>Steps per frame <select id="pg-speed">{_options([(v, v) for v in ("1", "5", "10", "25", "100")], "10")}</select></label>
  <span class="pg-stat">steps <output id="pg-steps">0</output></span>
  <span class="pg-stat">train loss <output id="pg-loss">&ndash;</output></span>
  <span class="pg-stat">test loss <output id="pg-testloss">&ndash;</output></span>
</div>
<div class="pg-grid">
<section class="pg-controls panel" aria-label="Settings">
  <h2>Data</h2>
  <div class="pg-datasets" role="group" aria-label="Dataset">{datasets}</div>
  <label class="pg-range">Noise <input type="range" id="pg-noise" min="0" max="50" step="5" value="0"><output for="pg-noise"></output></label>
  <label class="pg-range">Train % <input type="range" id="pg-ratio" min="10" max="90" step="10" value="50"><output for="pg-ratio"></output></label>
  <label class="pg-range">Batch size <input type="range" id="pg-batch" min="1" max="30" step="1" value="10"><output for="pg-batch"></output></label>
  <fieldset class="pg-features"><legend>Input features</legend>{features}</fieldset>
  <h2>Network</h2>
  <label>Activation <select id="pg-activation">{_activation_select(found)}</select></label>
  <p id="pg-act-summary" class="muted pg-small"></p>
  <div id="pg-params" class="pg-params"></div>
  <div class="pg-layers">
    <span>Hidden layers</span>
    <button type="button" id="pg-layer-remove" aria-label="Remove a hidden layer">&minus;</button>
    <button type="button" id="pg-layer-add" aria-label="Add a hidden layer">+</button>
    <span id="pg-widths" class="pg-widths"></span>
  </div>
  <label>Initialisation <select id="pg-init">{_options(INITS, "glorot")}</select></label>
  <label>Learning rate <select id="pg-lr">{_options([(str(v), str(v)) for v in LEARNING_RATES], "0.1")}</select></label>
  <label>Regularisation <select id="pg-reg">{_options([("none", "none"), ("L1", "L1"), ("L2", "L2")], "none")}</select></label>
  <label>Regularisation rate <select id="pg-regrate">{_options([(str(v), str(v)) for v in REG_RATES], "0")}</select></label>
  <label>Seed <input type="number" id="pg-seed" min="0" max="999999" step="1" value="1"></label>
</section>
<section class="pg-net panel" aria-label="The network">
  <h2>Network <span class="muted pg-small">each square: a neuron's output over the plane</span></h2>
  <div class="pg-net-wrap"><canvas id="pg-net" role="img" aria-label="Network: neuron output maps and weights"></canvas></div>
  <p class="pg-legend pg-small"><span class="pg-key pg-neg"></span> negative <span class="pg-key pg-pos"></span> positive
  &middot; <span class="pg-key pg-dead"></span> dead unit (f&prime; = 0 on every training point)</p>
  <h2>Diagnostics <span class="muted pg-small">per hidden layer, over the training set</span></h2>
  <div class="table-wrap pg-diag-wrap"><table class="data" id="pg-diag"><thead><tr><th>layer (units)</th><th>dead</th>
  <th>saturated</th><th>mean</th><th>grad norm</th></tr></thead><tbody></tbody></table></div>
  <ul id="pg-warnings" class="pg-warnings" aria-live="polite"></ul>
</section>
<section class="pg-out panel" aria-label="Output">
  <h2>Output</h2>
  <canvas id="pg-surface" width="300" height="300" role="img" aria-label="Decision surface with the data points"></canvas>
  <label class="pg-small"><input type="checkbox" id="pg-show-test"> show test data</label>
  <h2>Loss <span class="muted pg-small"><span class="pg-key pg-train"></span> train <span class="pg-key pg-test"></span> test</span></h2>
  <canvas id="pg-losses" width="300" height="120" role="img" aria-label="Training and test loss over steps"></canvas>
</section>
</div>
<section class="panel" aria-label="Scenarios">
  <h2>Scenarios from the seeds</h2>
  <p class="muted pg-small">One click sets up a pathology and starts training; the cure is one click away.</p>
  <div id="pg-scenarios" class="pg-scenarios"></div>
  <div id="pg-scenario-text" class="pg-scenario-text" aria-live="polite"></div>
</section>
</div>
<link rel="stylesheet" href="assets/playground.css">
<script src="data/playground.js"></script>
<script src="assets/playground-train.js"></script>
<script src="assets/playground.js"></script>
"""


def render(site: Site) -> dict[str, str]:
    found, skipped = playground_data.kernels()
    html = page("Playground", _body(found, skipped), current="playground.html",
                description="Train a small network live with any actlab activation and watch its diagnostics")
    return {"playground.html": html, "data/playground.js": playground_data.data_js(found)}
