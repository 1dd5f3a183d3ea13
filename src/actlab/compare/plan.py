"""What a comparison trains: the plan (activations x datasets x seeds) and the one-run configurations it expands to.

A run's configuration is a plain JSON-able dict. Its key is a hash of that dict's canonical JSON, so the same plan
always gives the same keys — which is what lets a re-run find and skip the runs already done.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

import actlab
from actlab.compare.datasets import TEXT_DATASET
from actlab.compare.early_stopping import DECAY_FACTOR
from actlab.errors import ActlabError, DataError

DEFAULT_STORE = "actlab-runs.sqlite"
DEFAULT_MODEL = "mlp:100,100"
BACKENDS = ("numpy", "torch")
TRANSFORMER_DEFAULT = (2, 64)  # layers, d_model: sized so one run takes about a minute on one core
TRANSFORMER_HEAD_DIM = 16
OPTIMIZERS = ("adam", "sgd", "momentum")
TASKS = ("classification", "regression")
PHASES = ("tune", "eval")  # a protocol run tunes the learning rate, or evaluates the chosen one
RANK_BY = {"test": "final_score", "val": "final_val_score"}  # --rank-by -> the metric rows are ranked by
# A run's configuration changes meaning when these change, so they are part of its key.
KEY_VERSION = 1


class PlanError(ActlabError, ValueError):
    """A comparison plan that cannot be run: unknown model, bad seed count, CNN on the NumPy backend, ..."""


@dataclass(frozen=True)
class Model:
    """A parsed ``--model``: ``mlp:100,100`` (any depth and width), ``cnn`` / ``cnn:25,25,25`` (1-D, torch) or
    ``transformer`` / ``transformer:LAYERS,D_MODEL`` (a pre-norm character-level language model, torch; widths are
    (layers, d_model))."""

    kind: str
    widths: tuple[int, ...]

    @classmethod
    def parse(cls, text: str) -> "Model":
        m = re.fullmatch(r"\s*(mlp|cnn|transformer)\s*(?::\s*([0-9,\s]*))?\s*", str(text).lower())
        if not m:
            raise PlanError(
                f"Unknown model {text!r}. Expected 'mlp:W1,W2,...' (e.g. mlp:100,100), 'cnn[:C1,C2,...]' "
                "(a 1-D CNN, e.g. cnn:25,25,25) or 'transformer[:LAYERS,D_MODEL]' (e.g. transformer:2,64)."
            )
        kind, spec = m.group(1), (m.group(2) or "").strip()
        parts = [p.strip() for p in spec.split(",") if p.strip()] if spec else []
        if not parts:
            parts = {"cnn": ["25", "25", "25"], "transformer": list(map(str, TRANSFORMER_DEFAULT))}.get(kind, [])
        widths = tuple(int(p) for p in parts)
        if any(w < 1 for w in widths):
            raise PlanError(f"Layer widths of model {text!r} must be positive integers. Got {widths}.")
        if kind == "transformer" and (len(widths) != 2 or widths[1] % TRANSFORMER_HEAD_DIM):
            raise PlanError(f"A transformer model is 'transformer:LAYERS,D_MODEL' with D_MODEL a multiple of "
                            f"{TRANSFORMER_HEAD_DIM} (the head width), e.g. transformer:2,64. Got {text!r}.")
        return cls(kind, widths)

    def __str__(self) -> str:
        return f"{self.kind}:{','.join(map(str, self.widths))}" if self.widths else self.kind


@dataclass(frozen=True)
class CsvData:
    """A user CSV file as a data set: ``--data FILE --target COLUMN [--task ...]``."""

    path: str
    target: str
    task: str | None = None

    @property
    def name(self) -> str:
        return f"csv:{Path(self.path).name}"

    def describe(self) -> dict[str, Any]:
        path = Path(self.path).resolve()
        if not path.is_file():
            raise DataError(f"{self.path}: no such file (the --data CSV to compare on).")
        # The content hash goes into every run's key: edit the file and the runs are new runs.
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:16]
        return {"name": self.name, "path": str(path), "target": self.target, "task": self.task, "sha256": digest}


@dataclass
class Plan:
    """A comparison: every activation x every dataset x every seed, trained with one model and one recipe.

    ``seeds`` is a count (seeds 0..n-1) or an explicit sequence. ``workers=None`` means one worker per core;
    ``workers=0`` runs in-process. ``ray`` is ``None`` (no Ray), ``"local"`` (start a local runtime) or an address.
    ``val_fraction`` in [0, 0.5] holds that share of each run's training split out as a validation set (see
    :mod:`actlab.compare.datasets`); 0, the default, holds out nothing and leaves run keys as they always were.
    ``rank_by`` ("test" or "val") is the split the results table ranks by; it is not part of a run.
    """

    activations: Sequence[str] = ("relu", "gelu")
    datasets: Sequence[str] = ("mnist1d",)
    model: str = DEFAULT_MODEL
    seeds: int | Sequence[int] = 3
    epochs: int = 20
    lr: float = 1e-3
    backend: str = "numpy"
    store: str | os.PathLike = DEFAULT_STORE
    workers: int | None = None
    ray: str | None = None
    batch_size: int = 100
    optimizer: str = "adam"
    baseline: str = "relu"
    target: float | None = None
    data: CsvData | None = None
    eval_batches: int = 4  # batches the recorder looks at for dead units / saturation / gradient norms
    val_fraction: float = 0.0
    rank_by: str = "test"
    # The protocol's run fields (set by actlab.compare.protocol, absent from the keys of plain runs): a protocol run
    # stops after ``patience`` epochs without a better validation score and restores its best epoch; its ``phase``
    # is "tune" (validation only) or "eval" (the test split scored once, at the end); ``data_seed`` draws the
    # train/test split for every seed alike.
    patience: int | None = None
    phase: str | None = None
    data_seed: int | None = None
    refit: bool = False  # an evaluation run retrains on the whole training split for its best validation epoch
    # A protocol run's rate falls by early_stopping.DECAY_FACTOR after every ``lr_decay`` epochs without a better
    # validation score (None: constant; absent from the run key then).
    lr_decay: int | None = None
    _configs: list[dict[str, Any]] | None = field(default=None, init=False, repr=False, compare=False)

    def validate(self) -> "Plan":
        """Check every field and resolve names; raise PlanError / UnknownActivation / DataError on bad input."""
        if isinstance(self.activations, str):
            self.activations = [a for a in self.activations.split(",") if a.strip()]
        if isinstance(self.datasets, str):
            self.datasets = [d for d in self.datasets.split(",") if d.strip()]
        acts = [actlab.resolve(a) for a in self.activations]
        if not acts:
            raise PlanError("A comparison needs at least one activation (e.g. --activations relu,gelu or --all).")
        self.activations = list(dict.fromkeys(acts))
        model = Model.parse(self.model)
        self.model = str(model)
        # The transformer's feed-forward block also takes a gated activation (GLU and its variants halve its input).
        allowed = ("elementwise", "gated") if model.kind == "transformer" else ("elementwise",)
        for a in self.activations:
            kind = actlab.spec(a).kind
            if kind not in allowed:
                where = "a transformer's feed-forward block" if model.kind == "transformer" else "dense layers"
                raise PlanError(f"compare trains one activation between {where}; {a!r} is {kind}, not "
                                f"{' or '.join(allowed)}.")
        self.baseline = actlab.resolve(self.baseline)
        if self.backend not in BACKENDS:
            raise PlanError(f"Unknown backend {self.backend!r}. Expected one of {', '.join(BACKENDS)}.")
        if model.kind in ("cnn", "transformer") and self.backend != "torch":
            raise PlanError(f"The {'1-D CNN' if model.kind == 'cnn' else 'transformer'} ({self.model}) is a torch "
                            "model: add --backend torch.")
        if model.kind == "transformer" and self.phase is None:
            raise PlanError("The transformer trains under the tuning protocol only (actlab.compare.protocol; the CLI "
                            "default), which validates every epoch and scores its test text once.")
        if model.kind != "transformer" and TEXT_DATASET in [str(d).lower() for d in self.datasets]:
            raise PlanError(f"{TEXT_DATASET!r} is a text for the language model: use --model transformer[:L,D] "
                            "--backend torch.")
        if model.kind == "transformer" and self.data is None and list(self.datasets) != [TEXT_DATASET]:
            raise PlanError(f"The transformer is a character-level language model: its dataset is {TEXT_DATASET!r} "
                            f"(--dataset {TEXT_DATASET}). Got {', '.join(map(str, self.datasets))}.")
        if self.optimizer not in OPTIMIZERS:
            raise PlanError(f"Unknown optimizer {self.optimizer!r}. Expected one of {', '.join(OPTIMIZERS)}.")
        if isinstance(self.seeds, int):
            if isinstance(self.seeds, bool) or self.seeds < 1:
                raise PlanError(f"--seeds must be a positive number of seeds. Got {self.seeds!r}.")
            self.seeds = list(range(self.seeds))
        else:
            self.seeds = [int(s) for s in self.seeds]
            if not self.seeds:
                raise PlanError("--seeds must name at least one seed.")
        for name, value, low in (("epochs", self.epochs, 1), ("batch_size", self.batch_size, 1)):
            if isinstance(value, bool) or not isinstance(value, int) or value < low:
                raise PlanError(f"{name} must be an integer >= {low}. Got {value!r}.")
        if not (isinstance(self.lr, (int, float)) and self.lr > 0 and self.lr < float("inf")):
            raise PlanError(f"lr must be a finite float > 0. Got {self.lr!r}.")
        check_val_fraction(self.val_fraction)
        self.val_fraction = float(self.val_fraction)
        if self.rank_by not in RANK_BY:
            raise PlanError(f"Unknown rank_by {self.rank_by!r} (--rank-by). Expected one of {', '.join(RANK_BY)}.")
        if self.rank_by == "val" and not self.val_fraction:
            raise PlanError("--rank-by val needs a validation split: add --val-fraction F (e.g. 0.2).")
        if self.phase is not None:
            if self.phase not in PHASES:
                raise PlanError(f"Unknown phase {self.phase!r}. Expected one of {', '.join(PHASES)}.")
            if not self.val_fraction:
                raise PlanError("A protocol run chooses on validation: it needs val_fraction > 0.")
            if self.patience is not None and (isinstance(self.patience, bool) or not isinstance(self.patience, int)
                                              or self.patience < 1):
                raise PlanError("patience must be an integer >= 1 (epochs without improvement). "
                                f"Got {self.patience!r}.")
            if self.lr_decay is not None and (isinstance(self.lr_decay, bool) or not isinstance(self.lr_decay, int)
                                              or self.lr_decay < 1):
                raise PlanError("lr_decay (--lr-decay) must be an integer >= 1: epochs without a better validation "
                                f"score before the learning rate falls. Got {self.lr_decay!r}.")
        if self.workers is not None and (isinstance(self.workers, bool) or self.workers < 0):
            raise PlanError(f"workers must be >= 0 (0 runs in-process). Got {self.workers!r}.")
        if self.data is not None:
            if self.data.task is not None and self.data.task not in TASKS:
                raise PlanError(f"Unknown task {self.data.task!r}. Expected one of {', '.join(TASKS)}.")
        else:
            from actlab.compare.datasets import check_names

            self.datasets = check_names(self.datasets)
        return self

    def dataset_configs(self) -> list[dict[str, Any]]:
        if self.data is not None:
            return [self.data.describe()]
        return [{"name": d} for d in self.datasets]

    def configs(self) -> list[dict[str, Any]]:
        """Every run of the plan as a configuration dict with its ``key``; order: dataset, seed, activation."""
        if self._configs is None:
            self.validate()
            out = []
            for data in self.dataset_configs():
                for seed in self.seeds:
                    for act in self.activations:
                        cfg = {
                            "activation": act,
                            "dataset": data,
                            "model": self.model,
                            "seed": seed,
                            "epochs": self.epochs,
                            "lr": float(self.lr),
                            "batch_size": self.batch_size,
                            "optimizer": self.optimizer,
                            "backend": self.backend,
                            "target": self.target,
                            "eval_batches": self.eval_batches,
                            "v": KEY_VERSION,
                        }
                        if self.val_fraction:  # absent at 0, so the keys of every earlier run stay valid
                            cfg["val_fraction"] = self.val_fraction
                        if self.phase is not None:
                            cfg.update(phase=self.phase, patience=self.patience, data_seed=self.data_seed)
                            if self.phase == "eval" and self.refit:
                                cfg["refit"] = True
                            if self.lr_decay:
                                cfg["lr_decay"] = [self.lr_decay, DECAY_FACTOR]
                        cfg["key"] = run_key(cfg)
                        out.append(cfg)
            self._configs = out
        return self._configs

    def keys(self) -> list[str]:
        return [c["key"] for c in self.configs()]

    @property
    def dataset_names(self) -> list[str]:
        return [d["name"] for d in self.dataset_configs()]

    @property
    def score(self) -> str:
        """The metric the results are ranked by: ``final_score`` (test) or ``final_val_score``."""
        return RANK_BY[self.rank_by]


def check_val_fraction(value: Any, low_open: bool = False) -> float:
    """``value`` as a float in [0, 0.5] (``(0, 0.5]`` with ``low_open``), or a PlanError naming the option, the range
    and the value."""
    from actlab.compare.datasets import MAX_VAL_FRACTION

    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and \
        (0 < value if low_open else 0 <= value) and value <= MAX_VAL_FRACTION
    if not ok:
        span = f"{'(' if low_open else '['}0, {MAX_VAL_FRACTION:g}]"
        raise PlanError(f"--val-fraction (val_fraction) must be a number in {span}: the share of the training set "
                        f"held out for validation. Got {value!r}.")
    return float(value)


def run_key(config: dict[str, Any]) -> str:
    """A deterministic 20-hex-digit key for a run configuration (the ``key`` field itself excluded)."""
    body = {k: v for k, v in config.items() if k != "key"}
    text = json.dumps(body, sort_keys=True, separators=(",", ":"), allow_nan=False)
    return hashlib.sha256(text.encode()).hexdigest()[:20]
