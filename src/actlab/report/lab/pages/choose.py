"""choose.html: the seeds' advice on which activation to use, each point next to the evidence measured here."""

from __future__ import annotations

from actlab.report.lab.html import code, esc, page
from actlab.report.lab.site import Site

# (advice as the seeds give it, what we add, activations, experiments that test it)
ADVICE = (
    ("Hidden layers: start with ReLU.",
     "The seeds (000, 001, 002) agree on this default. ReLU's derivative is 1 wherever the unit is active, so "
     "gradients do not shrink layer by layer as they do through sigmoid or tanh; it is cheap and gives sparse "
     "activations.", ("relu",), ("vanishing-gradients", "sparsity", "cost")),
    ("If ReLU units die, or training is unstable, try Leaky ReLU.",
     "A ReLU unit whose input is negative on every example gets no gradient and cannot recover. Leaky ReLU (and ELU, "
     "PReLU) keep a small slope for x < 0. How often units really die depends on the learning rate and the "
     "initialisation: the experiment measures it.", ("leaky_relu", "elu", "prelu"), ("dying-relu",)),
    ("Avoid sigmoid and tanh in the hidden layers of deep networks.",
     "Their derivatives are at most 1/4 and 1 and go to zero in both tails (saturation), so the gradient reaching "
     "the first layers shrinks geometrically with depth.", ("sigmoid", "tanh"), ("vanishing-gradients", "saturation")),
    ("Prefer zero-centred outputs when you can (tanh over sigmoid, ELU over ReLU).",
     "With all-positive inputs every weight of a neuron gets an update of the same sign, so the weights zig-zag "
     "towards the optimum.", ("tanh", "elu"), ("zero-centering",)),
    ("Output layer: sigmoid for binary classification, softmax for several classes, linear for regression.",
     "The output activation and the loss go together (sigmoid with binary cross-entropy, softmax with "
     "cross-entropy, identity with squared error): the gradient at the output is then simply prediction minus "
     "target.", ("sigmoid", "softmax", "identity"), ("output-layer",)),
    ("Deep networks without normalisation: SELU with LeCun-normal initialisation.",
     "SELU's two constants are chosen so that activations keep mean 0 and variance 1 from layer to layer.",
     ("selu",), ("self-normalization",)),
    ("Newer smooth functions (Swish/SiLU, GELU, Mish) can be a little better than ReLU.",
     "The published gains are 0.1 to 1 point on large image benchmarks, at a higher cost per element. Whether the "
     "gain shows on your task is a question for the comparison harness, over several seeds.",
     ("silu", "gelu", "mish"), ("swish-vs-relu", "cost")),
    ("\u201cReLU is about 6 times faster.\u201d",
     "That is AlexNet's training-convergence result (epochs to a training error on CIFAR-10, ReLU versus tanh), not "
     "the cost of evaluating the function. The cost experiment measures both readings.", ("relu", "tanh"),
     ("cost",)),
    ("Any non-linear function makes depth useful; without one, depth is wasted.",
     "A stack of linear layers is one linear layer; one hidden layer of a non-linear function can approximate any "
     "continuous function given enough units.", ("identity", "relu"),
     ("linear-collapse", "universal-approximation")),
)


def render(site: Site) -> dict[str, str]:
    items = []
    for advice, why, acts, exps in ADVICE:
        acts_html = ", ".join(site.act_link(a) for a in acts if a in site.names)
        evidence = []
        for name in exps:
            page_ = site.experiment(name)
            verdict = f" \u2014 {esc(page_.verdict)}" if page_ is not None and page_.ran else ""
            evidence.append(f"<li>{site.exp_link(name)} {site.verdict_badge(name)}{verdict}</li>")
        items.append(
            f'<div class="panel"><h3>{esc(advice)}</h3><p>{esc(why)}</p>'
            + (f"<p>Activations: {acts_html}</p>" if acts_html else "")
            + f"<p>Evidence:</p><ul>{''.join(evidence)}</ul></div>"
        )
    body = f"""
<h1>Which one to choose?</h1>
<p class="lead">The seed articles end with advice. Here is that advice, with the reasons in our own words and, for
each point, the experiment that tests it and its verdict at this scale. For your own task, measure:</p>
{code("actlab compare --activations relu,leaky_relu,gelu,silu,tanh --dataset mnist1d --seeds 5")}
<p>and read the result on the <a href="leaderboard.html">leaderboard</a>. When a trained model misbehaves, the
<a href="diagnose.html">diagnosis page</a> shows how to see which of these problems it has.</p>
{''.join(items)}
"""
    return {"choose.html": page("Choose", body, current="choose.html")}
