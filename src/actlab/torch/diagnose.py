"""Train a model for a few epochs with the Monitor on: the engine of `actlab diagnose`."""

from __future__ import annotations

import importlib.util
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from torch import nn

import actlab
from actlab.errors import ParameterError
from actlab.torch.monitor import Monitor

BUILTIN_MODELS = ("mlp", "deep-mlp", "cnn1d")
INITS = ("default", "he", "glorot", "lecun")


def build_model(kind: str, n_in: int, n_out: int, activation: str = "relu", width: int = 100, depth: int | None = None,
                init: str = "default", bias_init: float = 0.0) -> nn.Module:
    """A built-in model: 'mlp' (4 hidden layers), 'deep-mlp' (16), or 'cnn1d' (a small 1-D CNN for MNIST-1D)."""
    from actlab.torch import module as act_module

    if kind not in BUILTIN_MODELS:
        raise ParameterError(f"Unknown model {kind!r}. Expected one of {', '.join(BUILTIN_MODELS)}, or a Python file "
                             "exposing model().")
    if init not in INITS:
        raise ParameterError(f"init must be one of {', '.join(INITS)}; got {init!r}")
    actlab.get(activation)  # a did-you-mean error before building anything
    if kind == "cnn1d":
        net = nn.Sequential(
            nn.Unflatten(1, (1, n_in)),
            nn.Conv1d(1, 25, 5, padding=2), act_module(activation),
            nn.Conv1d(25, 25, 3, padding=1, stride=2), act_module(activation),
            nn.Conv1d(25, 25, 3, padding=1, stride=2), act_module(activation),
            nn.Flatten(), nn.LazyLinear(n_out),
        )
        net(torch.zeros(2, n_in))  # materialise the lazy layer
    else:
        depth = depth or (4 if kind == "mlp" else 16)
        layers: list[nn.Module] = []
        d = n_in
        for _ in range(depth):
            layers += [nn.Linear(d, width), act_module(activation)]
            d = width
        layers.append(nn.Linear(d, n_out))
        net = nn.Sequential(*layers)
    for m in net.modules():
        if isinstance(m, (nn.Linear, nn.Conv1d)):
            if init == "he":
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            elif init == "glorot":
                nn.init.xavier_normal_(m.weight)
            elif init == "lecun":
                nn.init.normal_(m.weight, std=m.weight[0].numel() ** -0.5)
            if init != "default":
                nn.init.constant_(m.bias, bias_init)
    return net


def load_user_model(path: str | Path) -> nn.Module:
    """Import the user's own Python file (their code, run as code — never a pickle) and call its model()."""
    path = Path(path)
    if not path.is_file():
        raise ParameterError(f"{path}: no such file (expected a Python file exposing model())")
    spec = importlib.util.spec_from_file_location(f"actlab_user_model_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ParameterError(f"{path}: not an importable Python file")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    factory = getattr(module, "model", None)
    if not callable(factory):
        raise ParameterError(f"{path}: defines no model() function; expected `def model() -> torch.nn.Module`")
    net = factory()
    if not isinstance(net, nn.Module):
        raise ParameterError(f"{path}: model() returned {type(net).__name__}, expected a torch.nn.Module")
    return net


@dataclass
class Diagnosis:
    monitor: Monitor
    losses: list[float]
    test_score: float
    seconds: float


def diagnose(net: nn.Module, dataset: str = "mnist1d", epochs: int = 3, lr: float = 1e-3, batch_size: int = 100,
             optimizer: str = "adam", every: int = 1, window: int = 50, seed: int = 0, progress=None) -> Diagnosis:
    """Train ``net`` on a built-in data set with a Monitor attached; return the monitor and the training record."""
    from actlab.data import load

    if optimizer not in ("adam", "sgd"):
        raise ParameterError(f"optimizer must be 'adam' or 'sgd'; got {optimizer!r}")
    ds = load(dataset, seed=seed)
    torch.manual_seed(seed)
    X = torch.tensor(np.asarray(ds.X_train), dtype=torch.float32)
    Xt = torch.tensor(np.asarray(ds.X_test), dtype=torch.float32)
    classify = ds.task == "classification"
    y = torch.tensor(np.asarray(ds.y_train), dtype=torch.long if classify else torch.float32)
    yt = torch.tensor(np.asarray(ds.y_test), dtype=torch.long if classify else torch.float32)
    loss_fn = nn.CrossEntropyLoss() if classify else (lambda out, target: nn.functional.mse_loss(out.squeeze(-1), target))
    opt = (torch.optim.Adam if optimizer == "adam" else torch.optim.SGD)(net.parameters(), lr=lr)
    generator = torch.Generator().manual_seed(seed)
    losses: list[float] = []
    start = time.perf_counter()
    mon = Monitor(net, every=every, window=window)
    with mon:
        for epoch in range(epochs):
            net.train()
            order = torch.randperm(len(X), generator=generator)
            total = 0.0
            for i in range(0, len(X), batch_size):
                idx = order[i:i + batch_size]
                opt.zero_grad()
                loss = loss_fn(net(X[idx]), y[idx])
                loss.backward()
                opt.step()
                total += float(loss.detach()) * len(idx)
            losses.append(total / len(X))
            if progress is not None:
                progress(epoch + 1, epochs, losses[-1])
    net.eval()
    with torch.no_grad():
        out = net(Xt)
        score = float((out.argmax(1) == yt).float().mean()) if classify else float(
            ((out.squeeze(-1) - yt) ** 2).mean())
    return Diagnosis(mon, losses, score, time.perf_counter() - start)
