"""actlab.torch.Monitor, replace_activations and `actlab diagnose` (issue 9)."""

from __future__ import annotations

import json

import pytest
import torch
from torch import nn

import actlab.torch as at
from actlab.cli import main
from actlab.torch.monitor import Monitor


def _mlp(activation_cls, depth, width=50, n_in=10, init=None):
    layers, d = [], n_in
    for _ in range(depth):
        linear = nn.Linear(d, width)
        if init is not None:
            init(linear.weight)
            nn.init.zeros_(linear.bias)
        layers += [linear, activation_cls()]
        d = width
    return nn.Sequential(*layers, nn.Linear(d, 1))


def _train(net, steps=5, lr=1e-3, seed=0):
    gen = torch.Generator().manual_seed(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    for _ in range(steps):
        x = torch.randn(64, net[0].in_features, generator=gen)
        opt.zero_grad()
        net(x).pow(2).mean().backward()
        opt.step()


def test_a_relu_layer_forced_dead_reads_one_and_warns():
    torch.manual_seed(0)
    net = _mlp(nn.ReLU, depth=1)
    with torch.no_grad():
        net[0].bias.fill_(-100.0)
    with Monitor(net) as mon:
        _train(net)
    (row,) = mon.report()
    assert row["layer"] == "1" and row["activation"] == "relu"
    assert row["dead_fraction"] == 1.0 and row["zero_fraction"] == 1.0
    (warning,) = [w for w in mon.warnings() if "dead" in w]
    assert "layer '1' (relu): 100% of units dead" in warning and "leaky_relu" in warning


def test_a_deep_sigmoid_stack_shows_vanishing_gradients():
    torch.manual_seed(0)
    net = _mlp(nn.Sigmoid, depth=12)
    with Monitor(net) as mon:
        _train(net, steps=3)
    norms = [r["grad_norm"] for r in mon.report()]
    assert all(later > earlier for earlier, later in zip(norms, norms[1:])), norms
    assert norms[-1] / norms[0] > 1e4
    assert any("vanishing gradients" in w and "(sigmoid)" in w and "relu with He init" in w for w in mon.warnings())


def test_a_healthy_he_initialised_relu_net_yields_no_warning():
    torch.manual_seed(0)
    net = _mlp(nn.ReLU, depth=4, width=100, init=lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu"))
    with Monitor(net) as mon:
        _train(net, steps=10)
    report = mon.report()
    assert len(report) == 4 and all(r["dead_fraction"] < 0.05 for r in report)
    assert 0.3 < report[0]["zero_fraction"] < 0.7  # ReLU: about half the outputs are exact zeros
    assert mon.warnings() == []


def test_monitor_detaches_cleanly_and_works_under_no_grad():
    net = _mlp(nn.Tanh, depth=2)
    mon = Monitor(net, every=1).attach()
    assert mon.attached
    with torch.no_grad():
        net(torch.randn(16, 10))
    rows = mon.report()
    assert all(r["batches"] == 1 for r in rows)
    assert all(r["saturated_fraction"] >= 0 for r in rows) and all(r["grad_norm"] != r["grad_norm"] for r in rows)
    mon.detach()
    assert not mon.attached
    assert all(not m._forward_pre_hooks and not m._forward_hooks and not m._backward_hooks for m in net.modules())
    net(torch.randn(4, 10))
    assert mon.report()[0]["batches"] == 1  # nothing recorded after detach


def test_every_and_window_limit_what_is_measured():
    net = _mlp(nn.ReLU, depth=1)
    with Monitor(net, every=3, window=2) as mon:
        for _ in range(9):
            net(torch.randn(8, 10))
    assert mon.report()[0]["batches"] == 2  # 3 monitored calls (0, 3, 6), the window keeps 2


def test_monitor_handles_inplace_activations_and_user_named_modules():
    class Square(nn.Module):
        def forward(self, x):
            return x * x

    net = nn.Sequential(nn.Linear(10, 20), nn.ReLU(inplace=True), nn.Linear(20, 20), Square(), nn.Linear(20, 1))
    with Monitor(net, modules=["3"]) as mon:
        net(torch.randn(32, 10)).sum().backward()
    rows = {r["layer"]: r for r in mon.report()}
    assert set(rows) == {"1", "3"} and rows["1"]["grad_norm"] > 0 and rows["3"]["activation"] == "square"


def test_monitor_bad_input_is_a_clear_error():
    with pytest.raises(ValueError, match="no activation modules"):
        Monitor(nn.Linear(3, 3))
    with pytest.raises(ValueError, match="'every' parameter of Monitor must be an integer >= 1"):
        Monitor(_mlp(nn.ReLU, 1), every=0)
    with pytest.raises(ValueError, match="no module named 'nope'"):
        Monitor(_mlp(nn.ReLU, 1), modules=["nope"])


def test_monitor_figure_and_table(tmp_path):
    net = _mlp(nn.ReLU, depth=2)
    with Monitor(net) as mon:
        _train(net, steps=4)
    mon.plot(tmp_path / "mon.png")
    assert (tmp_path / "mon.png").stat().st_size > 5000
    assert mon.table().row_count == 2


class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv1d(1, 4, 3, padding=1), nn.ReLU())
        self.blocks = nn.ModuleList([nn.Sequential(nn.Conv1d(4, 4, 3, padding=1), nn.BatchNorm1d(4), nn.ReLU())
                                     for _ in range(2)])
        self.act = nn.ReLU()
        self.head = nn.Linear(4 * 8, 2)

    def forward(self, x):
        x = self.stem(x)
        for block in self.blocks:
            x = block(x) + x
        return self.head(self.act(x).flatten(1))


def test_replace_activations_swaps_every_relu_in_a_nested_model_and_it_still_trains():
    torch.manual_seed(0)
    net = Nested().to(torch.float64)
    assert at.replace_activations(net, "gelu") == 4
    assert not any(isinstance(m, nn.ReLU) for m in net.modules())
    assert sum(1 for m in net.modules() if type(m).__module__.startswith("actlab")) >= 4
    x, y = torch.randn(32, 1, 8, dtype=torch.float64), torch.randint(0, 2, (32,))
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    first = None
    for _ in range(30):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x), y)
        loss.backward()
        opt.step()
        first = first if first is not None else float(loss.detach())
    assert float(loss.detach()) < 0.7 * first
    assert all(p.dtype == torch.float64 for p in net.parameters())


def test_replace_activations_where_selects_by_name_type_or_callable():
    net = Nested()
    assert at.replace_activations(net, "leaky_relu", where="blocks.*", alpha=0.2) == 2
    assert at.replace_activations(Nested(), "elu", where=lambda q, m: q == "act") == 1
    assert at.replace_activations(Nested(), "tanh", where=nn.ReLU) == 4
    with pytest.raises(ValueError, match="Did you mean"):
        at.replace_activations(Nested(), "gelux")


def test_replace_activations_keeps_learnable_parameters_on_the_model():
    net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    before = sum(p.numel() for p in net.parameters())
    assert at.replace_activations(net, "prelu") == 1
    assert sum(p.numel() for p in net.parameters()) > before


def test_diagnose_cli_finds_vanishing_gradients_in_a_deep_sigmoid_net(capsys):
    code = main(["diagnose", "--model", "deep-mlp", "--activation", "sigmoid", "--depth", "10", "--width", "32",
                 "--epochs", "1", "--dataset", "iris", "--json"])
    assert code == 0
    out = json.loads(capsys.readouterr().out)
    assert len(out["report"]) == 10 and any("vanishing gradients" in w for w in out["warnings"])


def test_diagnose_cli_loads_a_model_factory_from_a_user_file(tmp_path, capsys):
    path = tmp_path / "my_model.py"
    path.write_text("import torch\n\ndef model():\n    return torch.nn.Sequential(torch.nn.Linear(4, 16), "
                    "torch.nn.Tanh(), torch.nn.Linear(16, 3))\n")
    assert main(["diagnose", "--model", str(path), "--dataset", "iris", "--epochs", "1"]) == 0
    out = capsys.readouterr().out
    assert "tanh" in out and "test accuracy" in out


@pytest.mark.parametrize("argv, message", [
    (["--model", "nope"], "Unknown model 'nope'"),
    (["--activation", "relux"], "Did you mean"),
    (["--epochs", "0"], "--epochs must be a positive integer"),
    (["--model", "missing.py"], "missing.py: no such file"),
])
def test_diagnose_cli_bad_input_is_one_line(capsys, argv, message):
    assert main(["diagnose", "--dataset", "iris", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and len(err.splitlines()) == 1
