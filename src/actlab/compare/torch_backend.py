"""``--backend torch``: the same run as the NumPy backend, trained by PyTorch — MLPs and a small 1-D CNN for MNIST-1D.

The activation is ``actlab.torch.module(name)``: the catalog's definition, with actlab.torch's default mode for it.
Training runs with actlab.torch's compiled kernels off: a run's tensors are small, and compiling a kernel in every
worker (seconds each, measured 14 s for bent identity's pair) would cost more than the whole run.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from actlab.compare.plan import Model
from actlab.compare.probe import activation_probe, score


def activation_module(name: str):
    """An nn.Module for the catalog activation ``name``."""
    from actlab import torch as actlab_torch

    return actlab_torch.module(name)


def build(model: Model, activation: str, n_in: int, n_out: int):
    import torch.nn as nn

    layers: list[Any] = []
    if model.kind == "mlp":
        width = n_in
        for w in model.widths:
            layers += [nn.Linear(width, w), activation_module(activation)]
            width = w
        layers.append(nn.Linear(width, n_out))
        return nn.Sequential(*layers)
    # The 1-D CNN of the MNIST-1D paper (Greydanus 2020, ConvBase): a kernel-5 convolution, then kernel-3 ones, each
    # with stride 2 and padding 1, then a linear read-out of the flattened channels.
    channels, length = 1, n_in
    for i, c in enumerate(model.widths):
        kernel = 5 if i == 0 else 3
        layers += [nn.Conv1d(channels, c, kernel_size=kernel, stride=2, padding=1), activation_module(activation)]
        channels, length = c, (length + 2 * 1 - kernel) // 2 + 1
    if length < 1:
        raise ValueError(f"the CNN {model} has too many stride-2 layers for {n_in} input features")
    return nn.Sequential(nn.Unflatten(1, (1, n_in)), *layers, nn.Flatten(), nn.Linear(channels * length, n_out))


def _optimizer(name: str, params, lr: float):
    import torch

    if name == "sgd":
        return torch.optim.SGD(params, lr=lr)
    if name == "momentum":
        return torch.optim.SGD(params, lr=lr, momentum=0.9, nesterov=True)
    return torch.optim.Adam(params, lr=lr)


def train(config: dict[str, Any], data, val=None) -> dict[str, Any]:
    """Train on ``data``'s training split; score the test split (and ``val``, a Validation, if given) every epoch."""
    import torch

    from actlab.torch import configure_compile

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the BLAS limit in runner.execute: executor-independent numbers
    compile_settings = configure_compile(mode="off")
    try:
        return _train(config, data, val)
    finally:
        configure_compile(**compile_settings)
        torch.set_num_threads(threads)


def _train(config: dict[str, Any], data, val=None) -> dict[str, Any]:
    import torch
    import torch.nn.functional as F

    from actlab.compare.early_stopping import BestEpoch, lr_schedule

    model = Model.parse(config["model"])
    if model.kind == "transformer":
        from actlab.compare.models.transformer import train_lm

        return train_lm(config, data, val)
    torch.manual_seed(config["seed"])
    gen = torch.Generator().manual_seed(config["seed"])
    classification = data.task == "classification"
    sealed = data.X_test is None  # a protocol run: validation only, early stopping, test scored by the runner
    X = torch.tensor(np.asarray(data.X_train, np.float32))
    Xt = None if sealed else torch.tensor(np.asarray(data.X_test, np.float32))
    Xv = torch.tensor(np.asarray(val.X, np.float32)) if val is not None else None
    if classification:
        y = torch.tensor(np.asarray(data.y_train, np.int64))
    else:
        y = torch.tensor(np.asarray(data.y_train, np.float32)).reshape(-1, 1)
    n_out = data.n_classes if classification else 1
    net = build(model, config["activation"], X.shape[1], n_out)
    opt = _optimizer(config["optimizer"], net.parameters(), config["lr"])
    loss_fn = F.cross_entropy if classification else F.mse_loss
    n, bs = X.shape[0], config["batch_size"]
    curve: dict[str, list] = {"loss": [], "train_score": []}
    if not sealed:
        curve["test_score"] = []
    if val is not None:
        curve["val_score"] = []
    # Sealed without a validation split: a refit on the whole training split, which trains its epochs.
    best = BestEpoch(config.get("patience")) if sealed and val is not None else None
    schedule = lr_schedule(config)
    diverged, bad_loss = False, None
    start = time.perf_counter()
    for _ in range(config["epochs"]):
        schedule.set_next_rate(opt)
        net.train()
        perm = torch.randperm(n, generator=gen)
        total, hits = torch.zeros(()), torch.zeros(())
        outputs = []
        for i in range(0, n, bs):
            idx = perm[i : i + bs]
            opt.zero_grad(set_to_none=True)
            out = net(X[idx])
            loss = loss_fn(out, y[idx])
            loss.backward()
            opt.step()
            total += loss.detach() * len(idx)
            if classification:  # the running train score, as actlab.nn.fit reports it (no extra pass)
                hits += (out.detach().argmax(1) == y[idx]).sum()
            else:
                outputs.append((idx, out.detach()))
        epoch_loss = float(total) / n
        curve["loss"].append(epoch_loss if math.isfinite(epoch_loss) else None)
        if not math.isfinite(epoch_loss):
            diverged, bad_loss = True, epoch_loss
            for split in ("train_score", "test_score", "val_score"):  # keep the lists aligned
                if split in curve:
                    curve[split].append(None)
            break
        if classification:
            curve["train_score"].append(float(hits) / n)
        else:
            idx = torch.cat([i for i, _ in outputs])
            pred = torch.cat([o for _, o in outputs]).numpy()
            curve["train_score"].append(score(data.task, data.y_train[idx.numpy()], pred))
        net.eval()
        with torch.no_grad():
            if not sealed:
                curve["test_score"].append(score(data.task, data.y_test, net(Xt).numpy()))
            if val is not None:
                curve["val_score"].append(score(data.task, val.y, net(Xv).numpy()))
        if best is not None:
            stop = best.update(curve["val_score"][-1], lambda: _copy_state(net))
            schedule.observe(best)
            if stop:
                break
    if "lr_decay" in config:
        curve["lr"] = schedule.used  # what a refit replays
    # Like the NumPy backend: seconds of the training loop, the per-epoch test and validation evaluation included.
    train_time = time.perf_counter() - start
    out: dict[str, Any] = {"curve": curve, "diverged": diverged, "bad_loss": bad_loss, "train_time": train_time}
    if sealed:
        usable = best.state is not None if best is not None else not diverged
        if best is not None and usable:
            net.load_state_dict(best.state)
        out["best_epoch"] = (best.epoch or None) if best is not None else None
        out["evaluate"] = _evaluator(net, data.task) if usable else None
        out["probe"] = _probe(net, config, X, y, loss_fn) if usable else {}
    else:
        out["probe"] = {} if diverged else _probe(net, config, X, y, loss_fn)
    return out


def _copy_state(net) -> dict:
    return {k: v.detach().clone() for k, v in net.state_dict().items()}


def _evaluator(net, task: str):
    """``evaluate(X, y) -> score`` of the restored network: the runner's one look at the test split."""
    import torch

    def evaluate(X, y) -> float:
        net.eval()
        with torch.no_grad():
            return score(task, y, net(torch.tensor(np.asarray(X, np.float32))).numpy())

    return evaluate


def _probe(net, config, X, y, loss_fn) -> dict[str, Any]:
    """Pre-activations of every activation layer and per-layer weight-gradient norms on a few training batches."""
    import torch
    import torch.nn as nn

    take = min(X.shape[0], config["batch_size"] * config["eval_batches"])
    pre: list[torch.Tensor] = []
    acts = net[1::2] if isinstance(net[0], nn.Linear) else net[2:-2:2]  # the activation layers of build()
    hooks = [m.register_forward_hook(lambda mod, inp, out: pre.append(inp[0].detach().clone())) for m in acts]
    net.train()
    net.zero_grad(set_to_none=True)
    loss_fn(net(X[:take]), y[:take]).backward()
    for h in hooks:
        h.remove()
    weights = [m.weight for m in net.modules() if isinstance(m, (nn.Linear, nn.Conv1d))]
    grad_norms = [float(w.grad.norm()) if w.grad is not None else 0.0 for w in weights]
    net.zero_grad(set_to_none=True)
    probe = activation_probe(config["activation"], [p.numpy() for p in pre])
    probe["grad_norms"] = grad_norms
    return probe
