"""index.html: why networks need non-linear activations, how to read the lab, and the seeds' mistakes corrected."""

from __future__ import annotations

import numpy as np

from actlab.report.lab.html import esc, json_script, page
from actlab.report.lab.site import Site

HIDDEN = 8


def _demo_network() -> dict:
    """A fixed one-hidden-layer network y = sum_i v_i g(w_i x + b_i) + c (seeded, so the page is deterministic)."""
    rng = np.random.default_rng(7)
    w1 = rng.normal(0, 1.5, HIDDEN)
    b1 = rng.uniform(-3, 3, HIDDEN)
    w2 = rng.normal(0, 1.0, HIDDEN)
    return {"w1": [round(float(v), 6) for v in w1], "b1": [round(float(v), 6) for v in b1],
            "w2": [round(float(v), 6) for v in w2], "b2": 0.0, "xRange": [-4, 4]}


def _collapse() -> tuple[int, float]:
    """Three random linear layers against their product: the largest difference on random inputs."""
    rng = np.random.default_rng(0)
    sizes = [16, 32, 32, 4]
    Ws = [rng.normal(0, 1 / np.sqrt(a), (b, a)) for a, b in zip(sizes, sizes[1:])]
    bs = [rng.normal(0, 0.1, b) for b in sizes[1:]]
    X = rng.normal(size=(256, sizes[0]))
    h = X
    for W, b in zip(Ws, bs):
        h = h @ W.T + b
    W_all, b_all = np.eye(sizes[0]), np.zeros(sizes[0])
    for W, b in zip(Ws, bs):
        W_all, b_all = W @ W_all, W @ b_all + b
    diff = float(np.max(np.abs(h - (X @ W_all.T + b_all))))
    return len(Ws), diff


MISTAKES = (
    ("003", "gives the sigmoid's derivative as \u03c3(x)(1 + \u03c3(x)).",
     "It is \u03c3(x)(1 \u2212 \u03c3(x)): at most 1/4, reached at x = 0, and that bound is why deep sigmoid stacks "
     "lose their gradient.", "sigmoid", "vanishing-gradients"),
    ("003", "writes Leaky ReLU as max(\u2212ax, x) with the switch at x = 1.",
     "It is max(ax, x) for a small a > 0, switching at 0; its derivative is a for x < 0 and 1 for x > 0.",
     "leaky_relu", "dying-relu"),
    ("004", "minimises a loss written without its square, \u03a3(y \u2212 \u0177)/n, and updates each parameter with a "
     "prediction made before the previous parameter moved.",
     "The mean squared error is \u03a3(y \u2212 \u0177)\u00b2/n (the un-squared sum can be driven to \u2212\u221e); "
     "all gradients come from one prediction and are applied together. With the input unscaled and a learning "
     "rate of 1e-3, the fit stops far from the optimum: standardise the input first.", None, None),
    ("001", "says ReLU is \u201cabout 6 times faster\u201d than sigmoid/tanh.",
     "The 6\u00d7 is AlexNet's number of training epochs to reach 25% error on CIFAR-10 with ReLU versus tanh, a "
     "convergence result, not the cost per element. Both are measured here.", "relu", "cost"),
    ("003", "says tanh is less prone to saturation because its output is \u22121 rather than 0 for very negative "
     "inputs.",
     "Saturation is about the derivative, not the output: tanh\u2032 = 1 \u2212 tanh\u00b2 goes to 0 at both ends, "
     "exactly like the sigmoid's.", "tanh", "saturation"),
    ("001", "calls Maxout \u201calso linear\u201d and Leaky ReLU free of dead units.",
     "Maxout is piecewise linear (a maximum of linear functions), which is what makes it non-linear; Leaky ReLU units "
     "cannot have a zero gradient, but they can still be pushed into the slow negative slope.", "leaky_relu",
     "dying-relu"),
    ("003", "calls ReLU scale invariant: a\u00b7max(0, x) = max(0, ax).",
     "Only for a \u2265 0; for a negative a the two sides differ. The identity is positive homogeneity.", "relu", None),
)


def _mistakes(site: Site) -> str:
    items = []
    for seed, wrong, right, act, exp in MISTAKES:
        links = []
        if act:
            links.append(site.act_link(act))
        if exp:
            links.append(site.exp_link(exp))
        evidence = f" <span class=\"muted\">See {' and '.join(links)}.</span>" if links else ""
        items.append(f'<div class="mistake"><b>Seed {seed}</b> {esc(wrong)}<br>{esc(right)}{evidence}</div>')
    return "".join(items)


def render(site: Site) -> dict[str, str]:
    names = site.names
    layers, diff = _collapse()
    demo_acts = [n for n in ("identity", "relu", "tanh") if n in names] or names[:2]
    options = "".join(
        f'<option value="{esc(e.name)}"{" selected" if e.name in demo_acts else ""}>{esc(e.name)}</option>'
        for e in site.entries if e.kind == "elementwise" and e.has_plot
    )
    n_exp = sum(p.ran for p in site.experiments)
    body = f"""
<h1>actlab lab</h1>
<p class="lead">An offline laboratory for activation functions: every function in actlab's catalog with its
derivative, the claims of the articles this project started from, tested as experiments, and the comparisons
measured on real tasks. Everything here is generated from the code, so what you read is what the library does.</p>

<h2>Why a network needs a non-linear activation</h2>
<p>A neuron computes a weighted sum of its inputs plus a bias, w\u00b7x + b, and passes it through an activation
function. If that function is linear, stacking layers gains nothing: W\u2082(W\u2081x + b\u2081) + b\u2082 is again
one matrix times x plus one vector, (W\u2082W\u2081)x + (W\u2082b\u2081 + b\u2082). A hundred linear layers draw the
same straight decision boundaries as one. Here, {layers} random linear layers (16 \u2192 32 \u2192 32 \u2192 4) were
multiplied into a single one; on 256 random inputs the two differ by at most <b>{diff:.1e}</b>, which is float64
round-off.</p>
<p>A non-linear function breaks the collapse. Each unit then bends the line at a different place, and a sum of bent
lines can follow a curve; with enough units, one hidden layer can approximate any continuous function on an interval.
The plot below is one fixed network, y = \u03a3 v<sub>i</sub> g(w<sub>i</sub>x + b<sub>i</sub>) with {HIDDEN} hidden
units. Choose the activation g: with <code>identity</code> the network is a straight line whatever its weights; with
<code>relu</code> it is a chain of line segments; with <code>tanh</code> a smooth curve.</p>
<div class="panel">
<label>activation g (Ctrl/Shift-click for several) <select id="demo-act" multiple size="5">{options}</select></label>
<div class="act-plot" id="demo-plot" data-demo="demo-net" data-select="demo-act" aria-label="one network, several activations"></div>
{json_script("demo-net", _demo_network())}
</div>
<p>Non-linearity is not the only thing an activation decides. Its <em>derivative</em> is what backpropagation
multiplies by at every layer: where f\u2032 is near zero (sigmoid and tanh far from 0) the gradient fades
(<em>saturation</em>, and over many layers <em>vanishing gradients</em>); where f\u2032 is exactly zero (ReLU for
x &lt; 0) a unit that never receives a positive input stops learning (<em>dead units</em>); outputs that are always
positive (sigmoid, ReLU) make all the weight updates of a neuron share one sign, so learning zig-zags. The experiments
measure each of these.</p>

<h2>How to read the lab</h2>
<ul>
<li><a href="catalog.html">Catalog</a>: one card per activation: f and f\u2032 as formulas and as an interactive
plot (f solid, f\u2032 dashed), a slider per parameter, the properties (bounded, monotonic, smooth, zero-centred,
saturating, sparse, learnable) and the accuracy of the implementation. Filter and sort the table.</li>
<li><a href="compare.html">Compare</a>: two to four activations overlaid.</li>
<li><a href="experiments.html">Experiments</a>: each claim of the seed articles as an experiment with a figure,
numbers and a verdict ({n_exp} of {len(site.experiments)} have results in this build).</li>
<li><a href="leaderboard.html">Leaderboard</a>: activations compared on real tasks over several seeds, with
confidence intervals and paired tests.</li>
<li><a href="search.html">Search</a>: the formula-space search that found Swish, at small scale: candidates
<code>binary(unary(x), unary(x))</code> ranked on MNIST-1D with confidence intervals, swish-like ones marked.</li>
<li><a href="choose.html">Choose</a>: the usual advice on which activation to use, next to the evidence.</li>
<li><a href="diagnose.html">Diagnose</a>: what dead units, saturation and vanishing gradients look like in a model,
how actlab detects them, and the experiment behind each diagnosis.</li>
</ul>
<p class="muted">Plots: hover for values, mouse wheel to zoom, drag a box to zoom into it, double-click (or Reset) to
return. The lab works from disk; nothing is loaded from the network.</p>

<h2>The seeds' mistakes, corrected</h2>
<p>The articles this project grew from explain activations well but contain errors. Where the lab touches them, it
uses the correct form:</p>
{_mistakes(site)}
"""
    return {"index.html": page("Home", body, current="index.html", catalog_data=True,
                               description="actlab lab: activation functions, experiments and comparisons")}
