"""diagnose.html: each diagnosis the monitor makes, what it means, the cure, and the experiment behind it."""

from __future__ import annotations

from actlab.report.lab.html import code, esc, page
from actlab.report.lab.site import Site

# (anchor, title, statistic, what it means, example warning, cure, experiments)
DIAGNOSES = (
    ("dead-units", "Dead units", "dead_fraction",
     "A ReLU unit is dead when its input is negative for every example in the window: it outputs 0 and its "
     "derivative is 0, so none of its weights receive a gradient and it cannot come back by itself. A large "
     "learning rate that throws the weights far from the data, or a bad initialisation, causes it.",
     "layer 'net.2' (relu): 63% of units dead over the last 50 batches \u2014 lower the learning rate, or try "
     "leaky_relu",
     "Lower the learning rate; use He initialisation; swap in Leaky ReLU, ELU or PReLU, whose slope for x < 0 keeps "
     "a gradient flowing (replace_activations does it in one call).", ("dying-relu", "sparsity")),
    ("saturation", "Saturation", "saturated_fraction",
     "A unit is saturated when |f\u2032| is below a small threshold: sigmoid and tanh far from 0. The unit still "
     "outputs something, but almost no gradient passes through it, so it learns slowly.",
     "layer 'net.4' (sigmoid): 71% of units saturated \u2014 standardise the inputs, use a smaller initialisation, "
     "or try relu",
     "Standardise inputs; initialise with Glorot/LeCun scaling; prefer ReLU-family functions in hidden layers.",
     ("saturation",)),
    ("vanishing-gradients", "Vanishing gradients", "grad_norm",
     "Backpropagation multiplies by f\u2032 at every layer. With sigmoid (f\u2032 \u2264 1/4) the gradient reaching "
     "the first layer shrinks roughly like 0.25 to the power of the depth, so early layers barely move.",
     "gradient norm falls 1000x from layer 'net.8' to 'net.0' (sigmoid): vanishing gradients \u2014 try relu with He "
     "init",
     "ReLU-family activations with He initialisation; fewer layers; residual connections or normalisation layers.",
     ("vanishing-gradients",)),
    ("not-zero-centred", "Outputs that are not zero-centred", "mean",
     "When a layer's outputs are all positive (sigmoid, ReLU), every weight of the next neuron gets an update of the "
     "same sign, and the weights zig-zag to their optimum. A mean far from zero in the report shows it.",
     "layer 'net.2' (sigmoid): mean activation 0.62 \u2014 outputs are not zero-centred; try tanh",
     "Zero-centred functions (tanh, ELU, SELU) or normalisation layers.", ("zero-centering",)),
    ("drift", "Activations drifting in scale", "mean and std",
     "Without normalisation, the mean and variance of activations can grow or shrink layer by layer; SELU with "
     "LeCun-normal initialisation is built to pull them back to 0 and 1.",
     "layer 'net.40' (relu): activation std 0.02 \u2014 the signal is shrinking with depth",
     "SELU with LeCun-normal initialisation, or normalisation layers.", ("self-normalization",)),
)

MONITOR_EXAMPLE = """import torch
from actlab.torch import Monitor, replace_activations

model = torch.nn.Sequential(torch.nn.Linear(40, 100), torch.nn.ReLU(),
                            torch.nn.Linear(100, 100), torch.nn.ReLU(), torch.nn.Linear(100, 10))
with Monitor(model, every=1) as mon:
    ...                      # train as usual
for row in mon.report():     # per layer: dead_fraction, saturated_fraction, zero_fraction, mean, std, grad_norm
    print(row)
for warning in mon.warnings():
    print(warning)           # plain language, with the cure

replace_activations(model, "leaky_relu", alpha=0.01)   # try the cure: swaps every activation module in place"""


def _figure(site: Site, name: str) -> str:
    page_ = site.experiment(name)
    if page_ is None or not page_.ran:
        return ""
    figs = [f for f in page_.figures if f.suffix == ".svg"] or [f for f in page_.figures if f.suffix == ".png"]
    if not figs:
        return ""
    rel = site.figures.get((name, figs[0].name))
    if rel is None:
        return ""
    rel = f"experiments/{rel}"  # site.figures is relative to experiments/ (its pages' directory); this page is at the root
    return (f'<figure class="result"><img src="{esc(rel)}" alt="{esc(page_.title)}" loading="lazy">'
            f"<figcaption>{esc(page_.title)}: {esc(figs[0].stem)}</figcaption></figure>")


def render(site: Site) -> dict[str, str]:
    sections = []
    toc = []
    for anchor, title, stat, meaning, warning, cure, exps in DIAGNOSES:
        toc.append(f'<li><a href="#{anchor}">{esc(title)}</a></li>')
        evidence = "".join(
            f"<li>{site.exp_link(name)} {site.verdict_badge(name)}"
            + (f" \u2014 {esc(site.experiment(name).verdict)}" if site.experiment(name) and site.experiment(name).ran
               else "")
            + "</li>"
            for name in exps
        )
        sections.append(
            f'<section class="panel" id="{anchor}"><h2>{esc(title)}</h2>'
            f"<p><b>Measured as</b> <code>{esc(stat)}</code> per layer.</p><p>{esc(meaning)}</p>"
            f"<p><b>The monitor says, for example:</b></p>{code(warning)}"
            f"<p><b>Cure:</b> {esc(cure)}</p><p><b>The experiment behind it:</b></p><ul>{evidence}</ul>"
            f"{_figure(site, exps[0])}</section>"
        )
    body = f"""
<h1>Diagnose a model</h1>
<p class="lead">The seeds explain how activations go wrong. actlab's monitor watches any PyTorch model while it trains
and says, layer by layer, which of these it sees \u2014 and <code>replace_activations</code> swaps every activation in
the model to try the cure.</p>
<ul>{''.join(toc)}</ul>
<h2>Watching a model</h2>
{code(MONITOR_EXAMPLE)}
<p>Or from the command line, on a built-in model and dataset (or a <code>model()</code> factory in your own file):</p>
{code("actlab diagnose --model deep-mlp --activation sigmoid --init glorot")}
{''.join(sections)}
"""
    return {"diagnose.html": page("Diagnose", body, current="diagnose.html")}
