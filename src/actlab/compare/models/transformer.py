"""A small pre-norm Transformer language model whose feed-forward block takes the activation under test.

Block: ``x + Attn(LN(x))`` then ``x + FFN(LN(x))`` (pre-norm, as GPT-2 and Shazeer 2020), causal multi-head
attention with heads of 16 channels, learned positions, tied input/output embeddings. The FFN is

* ungated: ``W2 f(W1 x)`` with hidden width ``4 d``;
* gated (GLU, ReGLU, GeGLU, SwiGLU — the catalog's ``gated`` kind): ``W2 g([W1 x, V x])`` where ``g`` takes the
  concatenated halves ``(a, b) -> a * act(b)``, with hidden width ``round(8 d / 3)`` so that the three gated
  matrices hold as many parameters as the two ungated ones (Shazeer 2020, "GLU Variants Improve Transformer",
  arXiv:2002.05202, keeps d_ff 3072 ungated vs 2048 gated for the same reason).

Training: Adam, random windows of :data:`CONTEXT` characters from the training block, :data:`STEPS_PER_EPOCH` steps
per "epoch" (an evaluation round: the validation score is measured after each), the batch size of the run's
configuration (sequences per step). The score is minus the validation loss in nats per character (higher is better,
like every other score of the harness; the reports print nats/char).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from actlab.compare.plan import Model

CONTEXT = 64  # characters per training window
STEPS_PER_EPOCH = 50  # optimiser steps per evaluation round ("epoch")
EVAL_WINDOWS = 64  # validation / test windows of CONTEXT characters, non-overlapping, from the start of the block


def ffn_hidden(d_model: int, gated: bool) -> int:
    """The FFN hidden width: 4d ungated, 8d/3 gated, so both hold ~8 d^2 weights."""
    return round(8 * d_model / 3) if gated else 4 * d_model


def build(model: Model, activation: str, vocab: int):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    import actlab
    from actlab import torch as actlab_torch
    from actlab.compare.plan import TRANSFORMER_HEAD_DIM

    layers, d = model.widths
    gated = actlab.spec(activation).kind == "gated"
    hidden = ffn_hidden(d, gated)

    class Block(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
            self.qkv, self.proj = nn.Linear(d, 3 * d), nn.Linear(d, d)
            self.up = nn.Linear(d, 2 * hidden if gated else hidden)
            self.act = actlab_torch.module(activation)
            self.down = nn.Linear(hidden, d)
            self.heads = d // TRANSFORMER_HEAD_DIM

        def forward(self, x):
            b, t, _ = x.shape
            q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, -1).permute(2, 0, 3, 1, 4)
            att = F.scaled_dot_product_attention(q, k, v, is_causal=True)
            x = x + self.proj(att.transpose(1, 2).reshape(b, t, d))
            return x + self.down(self.act(self.up(self.ln2(x))))

    class CharLM(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.embed = nn.Embedding(vocab, d)
            self.pos = nn.Parameter(torch.zeros(CONTEXT, d))
            self.blocks = nn.ModuleList(Block() for _ in range(layers))
            self.ln = nn.LayerNorm(d)
            nn.init.normal_(self.embed.weight, std=0.02)
            nn.init.normal_(self.pos, std=0.02)

        def forward(self, ids):
            x = self.embed(ids) + self.pos[: ids.shape[1]]
            for block in self.blocks:
                x = block(x)
            return self.ln(x) @ self.embed.weight.T  # tied read-out

    return CharLM()


def n_params(net) -> int:
    return int(sum(p.numel() for p in net.parameters()))


def _windows(ids: np.ndarray, count: int):
    """``count`` non-overlapping windows of CONTEXT+1 ids from the start of ``ids`` (inputs and next-char targets)."""
    import torch

    count = min(count, (len(ids) - 1) // (CONTEXT + 1))
    block = torch.tensor(ids[: count * (CONTEXT + 1)]).view(count, CONTEXT + 1)
    return block[:, :-1], block[:, 1:]


def nats_per_char(net, ids: np.ndarray, windows: int = EVAL_WINDOWS) -> float:
    import torch
    import torch.nn.functional as F

    x, y = _windows(ids, windows)
    net.eval()
    with torch.no_grad():
        logits = net(x)
        return float(F.cross_entropy(logits.reshape(-1, logits.shape[-1]), y.reshape(-1)))


def train_lm(config: dict[str, Any], data, val) -> dict[str, Any]:
    """Train the language model of ``config`` on ``data`` (a TextData); validation every epoch, early stopping
    and best-epoch restore as the other protocol runs. Returns the backend's result dict."""
    import torch
    import torch.nn.functional as F

    from actlab.compare.early_stopping import BestEpoch, lr_schedule

    torch.manual_seed(config["seed"])
    gen = torch.Generator().manual_seed(config["seed"])
    net = build(Model.parse(config["model"]), config["activation"], data.n_classes)
    opt = torch.optim.Adam(net.parameters(), lr=config["lr"])
    train_ids = torch.tensor(data.X_train)
    starts_max = len(train_ids) - CONTEXT - 1
    offsets = torch.arange(CONTEXT + 1)
    best = BestEpoch(config.get("patience"), window=1)  # see protocol.smoothing_window
    schedule = lr_schedule(config)
    curve: dict[str, list] = {"loss": [], "train_score": [], "val_score": []}
    diverged, bad_loss = False, None
    start = time.perf_counter()
    for _ in range(config["epochs"]):
        schedule.set_next_rate(opt)
        net.train()
        total = 0.0
        for _ in range(STEPS_PER_EPOCH):
            starts = torch.randint(0, starts_max, (config["batch_size"],), generator=gen)
            batch = train_ids[starts[:, None] + offsets]
            logits = net(batch[:, :-1])
            loss = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch[:, 1:].reshape(-1))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            total += float(loss.detach())
        epoch_loss = total / STEPS_PER_EPOCH
        if not math.isfinite(epoch_loss):
            diverged, bad_loss = True, epoch_loss
            curve["loss"].append(None)
            curve["train_score"].append(None)
            curve["val_score"].append(None)
            break
        curve["loss"].append(epoch_loss)
        curve["train_score"].append(-epoch_loss)
        curve["val_score"].append(-nats_per_char(net, val.X))
        stop = best.update(curve["val_score"][-1], lambda: {k: v.detach().clone() for k, v in net.state_dict().items()})
        schedule.observe(best)
        if stop:
            break
    if "lr_decay" in config:
        curve["lr"] = schedule.used
    train_time = time.perf_counter() - start
    usable = best.state is not None
    if usable:
        net.load_state_dict(best.state)
    return {"curve": curve, "diverged": diverged, "bad_loss": bad_loss, "train_time": train_time,
            "best_epoch": best.epoch or None, "probe": {"n_params": n_params(net)},
            "evaluate": (lambda X, y: -nats_per_char(net, X)) if usable else None}
