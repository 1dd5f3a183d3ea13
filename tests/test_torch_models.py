"""replace_activations and Monitor on real model code: timm's and HF transformers' (random weights, small inputs,
no download), gates left alone, the class table checked against the libraries, the user's own rules."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from torch import nn

import actlab
import actlab.torch as at
from actlab.torch.recognise import KNOWN_CLASSES, find_activations, find_gates, sigmoid_like

from _timm_helpers import import_timm, import_transformers


def test_the_dev_install_keeps_the_cpu_torch_2_13():
    assert torch.__version__.startswith("2.13"), torch.__version__


# name, create_model kwargs, input size, {class: replaced}, {class: gates left alone}
TIMM = [
    ("resnet18", {}, 32, {"ReLU": 17}, {}),
    ("vit_tiny_patch16_224", {"img_size": 32}, 32, {"GELU": 12}, {}),
    ("convnext_atto", {}, 32, {"GELU": 12}, {}),
    ("efficientnet_b0", {}, 32, {"SiLU": 49}, {"Sigmoid": 16}),
    ("mobilenetv3_small_100", {}, 32, {"Hardswish": 19, "ReLU": 14}, {"Hardsigmoid": 9}),
]


@pytest.mark.parametrize("name,kwargs,size,replaced,gates", TIMM, ids=[t[0] for t in TIMM])
def test_timm_models_activations_are_replaced_gates_kept_and_monitored(name, kwargs, size, replaced, gates):
    timm = import_timm()
    torch.manual_seed(0)
    model = timm.create_model(name, pretrained=False, num_classes=5, **kwargs)
    gate_modules = {q: m for q, m in model.named_modules() if type(m).__name__ in gates}
    monitor = at.Monitor(model, every=1)
    report_rows = {r["layer"]: r for r in monitor.report()}
    assert len(report_rows) == sum(replaced.values()) + sum(gates.values())
    assert {q for q, r in report_rows.items() if r["gate"]} == set(gate_modules)

    done = at.replace_activations(model, "mish")
    assert done == sum(replaced.values())
    assert done.by_class == replaced and done.gates_by_class == gates
    for q, m in gate_modules.items():  # the very same gate modules, untouched
        assert model.get_submodule(q) is m
    assert sum(isinstance(m, at.Activation) for m in model.modules()) == int(done)

    monitor = at.Monitor(model, every=1)  # on the edited model: the actlab modules and the gates
    x = torch.randn(2, 3, size, size)
    with monitor:
        model(x).sum().backward()
    report = monitor.report()
    assert len(report) == sum(replaced.values()) + sum(gates.values())
    assert all(r["batches"] == 1 and np.isfinite(r["mean"]) for r in report)
    assert {r["activation"] for r in report if not r["gate"]} == {"mish"}


def test_gates_true_replaces_the_squeeze_excite_gates_too():
    timm = import_timm()
    model = timm.create_model("mobilenetv3_small_100", pretrained=False, num_classes=5)
    done = at.replace_activations(model, "sigmoid", gates=True)
    assert done == 19 + 14 + 9 and not done.gates and done.by_class["Hardsigmoid"] == 9


def _hf_models():
    transformers = import_transformers()
    t = transformers
    return [
        ("gpt2", t.GPT2Model(t.GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=64, n_positions=16)),
         {"NewGELUActivation": 2}),
        ("llama", t.LlamaModel(t.LlamaConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                             num_attention_heads=2, num_key_value_heads=2, vocab_size=64))
         , {type(t.activations.ACT2FN["silu"]).__name__: 2}),
        ("bert", t.BertModel(t.BertConfig(hidden_size=32, num_hidden_layers=2, num_attention_heads=2,
                                          intermediate_size=64, vocab_size=64)),
         {"GELUActivation": 2, "Tanh": 1}),
    ]


def test_hf_transformers_activations_are_recognised_replaced_and_monitored():
    torch.manual_seed(0)
    for label, model, replaced in _hf_models():
        model.eval()
        ids = torch.randint(0, 64, (2, 8))
        before = model(ids).last_hidden_state
        monitor = at.Monitor(model, every=1)
        assert len(monitor.report()) == sum(replaced.values()), label
        done = at.replace_activations(model, "mish")
        assert done.by_class == replaced, label
        with at.Monitor(model, every=1) as mon:
            after = model(ids).last_hidden_state
        assert after.shape == before.shape and not torch.equal(after, before), label
        assert [r["activation"] for r in mon.report()] == ["mish"] * int(done), label


def _catalog_check(cls, name):
    x = torch.linspace(-6, 6, 241, dtype=torch.float64)
    want = torch.as_tensor(np.asarray(actlab.get(name)(x.numpy())))
    torch.testing.assert_close(cls()(x.clone()), want, rtol=2e-6, atol=2e-6, msg=f"{cls.__qualname__} vs {name}")


def test_every_table_class_of_the_installed_timm_and_transformers_computes_its_catalog_activation():
    import importlib

    import_timm()
    import_transformers()
    checked = 0
    for qualified, name in KNOWN_CLASSES.items():
        module_name, _, cls_name = qualified.rpartition(".")
        cls = getattr(importlib.import_module(module_name), cls_name, None)
        if cls is None:  # a class of another release (PytorchGELUTanh: transformers < 4.50)
            continue
        _catalog_check(cls, name)
        assert at.replace_activations(nn.Sequential(nn.Linear(2, 2), cls()), "relu").by_class == {cls_name: 1}
        checked += 1
    assert checked >= len(KNOWN_CLASSES) - 2


class SqueezeExcite(nn.Module):
    """A squeeze-excite block written as people write it: the gate ends a Sequential that multiplies the input."""

    def __init__(self, c: int):
        super().__init__()
        self.excite = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Conv2d(c, 2, 1), nn.SiLU(), nn.Conv2d(2, c, 1),
                                    nn.Hardsigmoid())
        self.out = nn.Sigmoid()  # a sigmoid that is not a gate: its output is the block's output

    def forward(self, x):
        return self.out(x * self.excite(x))


class Gated(nn.Module):
    """A gating unit with data-dependent control flow (torch.fx cannot trace it): names decide."""

    def __init__(self):
        super().__init__()
        self.proj = nn.Linear(4, 4)
        self.gate = nn.Sigmoid()
        self.act = nn.Tanh()

    def forward(self, x):
        if x.sum() > 1e9:  # data-dependent
            return x
        return self.act(self.proj(x)) * self.gate(x)


def test_gates_are_found_by_the_dataflow_and_by_names_where_it_cannot_be_traced():
    model = nn.Sequential(nn.Conv2d(3, 4, 1), SqueezeExcite(4), nn.Flatten(), nn.Linear(4 * 4 * 4, 4), Gated())
    found = find_activations(model)
    assert {q for q, _, _ in found} == {"1.excite.2", "1.excite.4", "1.out", "4.gate", "4.act"}
    assert find_gates(model, found) == {"1.excite.4", "4.gate"}
    done = at.replace_activations(model, "elu")
    assert done.by_class == {"SiLU": 1, "Sigmoid": 1, "Tanh": 1} and set(done.gates) == {"1.excite.4", "4.gate"}
    assert isinstance(model[1].excite[4], nn.Hardsigmoid) and isinstance(model[4].gate, nn.Sigmoid)
    model(torch.randn(2, 3, 4, 4)).sum().backward()


def test_sigmoid_like_is_read_from_the_catalog_values():
    assert sigmoid_like("sigmoid") and sigmoid_like("hard_sigmoid") and sigmoid_like("sparse_sigmoid")
    assert not sigmoid_like("tanh") and not sigmoid_like("silu") and not sigmoid_like("relu")


class Cube(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(x)


class Scaled(nn.Module):
    def __init__(self, kind):
        super().__init__()
        self.kind = kind

    def forward(self, x):
        return torch.tanh(x) if self.kind == "tanh" else x


def test_user_rules_register_a_class_or_recognise_per_call():
    net = nn.Sequential(nn.Linear(2, 2), Cube(), Scaled("tanh"), Scaled("none"))
    assert at.replace_activations(net, "relu") == 0
    at.register_activation_class(Cube, "swish1")
    try:
        done = at.replace_activations(net, "relu", recognise=lambda m: "tanh" if getattr(m, "kind", "") == "tanh"
                                      else None)
    finally:
        from actlab.torch.recognise import _USER

        _USER.pop(f"{Cube.__module__}.{Cube.__qualname__}")
    assert done.by_class == {"Cube": 1, "Scaled": 1} and isinstance(net[3], Scaled)
    with pytest.raises(actlab.UnknownActivation, match="Did you mean"):
        at.register_activation_class(Cube, "swissh")
    with pytest.raises(actlab.ParameterError, match="only elementwise"):
        at.register_activation_class(Cube, "softmax")


def test_replacing_an_in_place_relu_keeps_it_in_place_where_actlab_honours_it():
    net = nn.Sequential(nn.Linear(2, 2), nn.ReLU(inplace=True), nn.ReLU(), nn.ReLU(inplace=True))
    at.replace_activations(net, "relu")
    assert [m.inplace for m in list(net)[1:]] == [True, False, True]
    at.replace_activations(net, "gelu", exact=True)  # exact GELU cannot work in place: out of place, no error
    assert not any(m.inplace for m in list(net)[1:])
