"""``--backend numpy`` (the default): the run trained by ``actlab.nn`` in float32, the catalog's own derivative in
the backward pass."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from actlab.compare.plan import Model
from actlab.compare.probe import score


def _optimizer(nn, name: str, lr: float):
    if name == "sgd":
        return nn.SGD(lr)
    if name == "momentum":
        return nn.Momentum(lr, nesterov=True)
    return nn.Adam(lr)


def train(config: dict[str, Any], data, val=None) -> dict[str, Any]:
    """Train on ``data``'s training split; score the test split (and ``val``, a Validation, if given) every epoch.

    A protocol run (its test split sealed: ``data.X_test is None``) scores only ``val``, stops early after
    ``config['patience']`` epochs without improvement, restores its best epoch and returns ``evaluate(X, y)`` for the
    runner's one final test evaluation."""
    from actlab import nn

    if data.X_test is None:
        return _train_protocol(nn, config, data, val)

    model, loss, n_out = _network(nn, config, data)
    val_scores: list[float | None] = []
    callback = None
    if val is not None:
        X_val = np.asarray(val.X, dtype=model.dtype)
        Y_val = loss.target(val.y, n_out, model.dtype)

        def callback(epoch, history, model):  # after the epoch's test evaluation (nn.fit's X_val is the test split)
            val_scores.append(_finite(nn.evaluate(model, X_val, Y_val, loss)[1]))

    start = time.perf_counter()
    history = nn.fit(model, data.X_train, data.y_train, loss, _optimizer(nn, config["optimizer"], config["lr"]),
                     epochs=config["epochs"], batch_size=config["batch_size"], seed=config["seed"],
                     X_val=data.X_test, y_val=data.y_test, callback=callback)
    train_time = time.perf_counter() - start
    curve = {
        "loss": [_finite(v) for v in history.loss],
        "train_score": [_finite(v) for v in history.train_score],
        "test_score": [_finite(v) for v in history.val_score],
    }
    if val is not None:
        curve["val_score"] = val_scores
    if history.diverged:
        for split in ("test_score", "val_score"):  # the diverged epoch has no score; keep the lists aligned
            if split in curve:
                curve[split].append(None)
    probe = {} if history.diverged else _probe(nn, model, loss, data, config)
    return {"curve": curve, "diverged": history.diverged, "bad_loss": history.loss[-1] if history.diverged else None,
            "train_time": train_time, "probe": probe}


def _train_protocol(nn, config: dict[str, Any], data, val) -> dict[str, Any]:
    from actlab.compare.early_stopping import BestEpoch, lr_schedule

    model, loss, n_out = _network(nn, config, data)
    best = BestEpoch(config.get("patience"))
    schedule = lr_schedule(config)
    optimizer = _optimizer(nn, config["optimizer"], config["lr"])
    optimizer.lr = schedule.next_rate()
    val_scores: list[float | None] = []
    if val is not None:  # without one (a refit on the whole training split) the run trains its epochs, no stopping
        X_val = np.asarray(val.X, dtype=model.dtype)
        Y_val = loss.target(val.y, n_out, model.dtype)

    def callback(epoch, history, model):
        stop = False
        if val is not None:
            val_scores.append(_finite(nn.evaluate(model, X_val, Y_val, loss)[1]))
            stop = best.update(val_scores[-1], model.state)
            schedule.observe(best)
        optimizer.lr = schedule.next_rate()  # the next epoch's (recorded even when none follows; trimmed below)
        return stop

    start = time.perf_counter()
    history = nn.fit(model, data.X_train, data.y_train, loss, optimizer, epochs=config["epochs"],
                     batch_size=config["batch_size"], seed=config["seed"], callback=callback)
    train_time = time.perf_counter() - start
    curve = {"loss": [_finite(v) for v in history.loss], "train_score": [_finite(v) for v in history.train_score],
             "val_score": val_scores}
    if "lr_decay" in config:
        curve["lr"] = schedule.used[:len(history.loss)]  # what a refit replays
    if history.diverged:
        curve["val_score"].append(None)
    if best.state is not None:
        model.load_state(best.state)
    usable = best.state is not None or (val is None and not history.diverged)
    probe = _probe(nn, model, loss, data, config) if usable else {}
    return {"curve": curve, "diverged": history.diverged, "bad_loss": history.loss[-1] if history.diverged else None,
            "train_time": train_time, "probe": probe, "best_epoch": best.epoch or None,
            "evaluate": (lambda X, y: score(data.task, y, model.forward(np.asarray(X, dtype=model.dtype),
                                                                         training=False))) if usable else None}


def _network(nn, config: dict[str, Any], data):
    model_spec = Model.parse(config["model"])
    if model_spec.kind != "mlp":
        raise ValueError(f"the NumPy backend trains MLPs; {config['model']} needs --backend torch")
    classification = data.task == "classification"
    n_out = data.n_classes if classification else 1
    model = nn.mlp(data.X_train.shape[1], list(model_spec.widths), n_out, activation=config["activation"],
                   dtype=np.float32, seed=config["seed"])
    loss = nn.SoftmaxCrossEntropy() if classification else nn.MSE()
    return model, loss, n_out


def _finite(v: float) -> float | None:
    return float(v) if np.isfinite(v) else None


def _probe(nn, model, loss, data, config) -> dict[str, Any]:
    """Dead units and saturation over a few training batches; gradient norms from one backward pass on them."""
    from actlab.compare.probe import activation_probe

    take = min(data.X_train.shape[0], config["batch_size"] * config["eval_batches"])
    X = np.asarray(data.X_train[:take], dtype=model.dtype)
    with nn.Recorder(model) as rec:
        out = model.forward(X, training=True)
        _, grad = loss.value_and_grad(out, loss.target(data.y_train[:take], out.shape[1], model.dtype))
        model.backward(grad)
        pre = [r.pre for r in rec.records]
        grad_norms = rec.weight_grad_norms()
    probe = activation_probe(config["activation"], pre)
    probe["grad_norms"] = grad_norms
    return probe
