"""The SQLite run store: idempotent inserts, atomic claims, take-over of runs whose owner died, owner-only writes."""

import os
import time
import subprocess
import sys

import pytest

from actlab.compare import Plan, Store
from actlab.compare.plan import run_key
from actlab.compare.store import owner_dead


def _configs(tmp_path, n_seeds=2):
    return Plan(["relu", "tanh"], ["iris"], seeds=n_seeds, epochs=2, store=tmp_path / "s.sqlite").configs()


def test_run_keys_are_deterministic_and_depend_on_every_setting(tmp_path):
    a = _configs(tmp_path)
    b = _configs(tmp_path)
    assert [c["key"] for c in a] == [c["key"] for c in b]
    assert len({c["key"] for c in a}) == len(a) == 4
    changed = dict(a[0], lr=0.01)
    assert run_key(changed) != a[0]["key"]


def test_add_is_idempotent_and_store_uses_wal(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    configs = _configs(tmp_path)
    assert store.add(configs) == 4
    assert store.add(configs) == 0
    assert store.counts()["pending"] == 4
    assert store._db().execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.integrity() == "ok"


def test_claim_hands_out_each_run_once_and_finish_needs_the_owner(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    configs = _configs(tmp_path)
    store.add(configs)
    claimed = [store.claim() for _ in range(5)]
    assert claimed[-1] is None
    assert sorted(c["key"] for c in claimed[:4]) == sorted(c["key"] for c in configs)
    other = Store(tmp_path / "s.sqlite")
    other.owner = "elsewhere:1"
    assert other.claim() is None  # all four are leased to a live owner
    assert not other.finish(claimed[0]["key"], {"status": "done", "metrics": {"final_score": 1.0}})
    assert store.finish(claimed[0]["key"], {"status": "done", "metrics": {"final_score": 0.5}})
    row = store.runs([claimed[0]["key"]])[0]
    assert row["status"] == "done" and row["final_score"] == 0.5 and row["attempts"] == 1


def test_runs_of_a_dead_process_are_taken_over_at_once(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    store.add(_configs(tmp_path))
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    ghost = Store(tmp_path / "s.sqlite")
    ghost.owner = f"{ghost.owner.rpartition(':')[0]}:{pid}"
    key = ghost.claim()["key"]
    assert owner_dead(ghost.owner) and not owner_dead(store.owner)
    assert store.claim(keys=[key])["key"] == key  # same host, pid gone: no need to wait for the lease
    assert store.runs([key])[0]["attempts"] == 2


def test_runs_of_a_remote_owner_wait_for_the_lease(tmp_path):
    store = Store(tmp_path / "s.sqlite", lease=60)
    store.add(_configs(tmp_path))
    remote = Store(tmp_path / "s.sqlite", lease=-1)  # an owner on another host whose lease has already run out
    remote.owner = "another-host:123"
    key = remote.claim()["key"]
    assert store.claim(keys=[key])["key"] == key
    remote2 = Store(tmp_path / "s.sqlite", lease=60)
    remote2.owner = "another-host:124"
    key2 = remote2.claim()["key"]
    assert store.claim(keys=[key2]) is None  # live lease on another host: hands off
    remote2.heartbeat()
    assert store.claim(keys=[key2]) is None


def test_release_and_retry_failed_put_runs_back(tmp_path):
    store = Store(tmp_path / "s.sqlite")
    keys = [c["key"] for c in _configs(tmp_path)]
    store.add(_configs(tmp_path))
    a, b = store.claim(), store.claim()
    store.finish(a["key"], {"status": "failed", "error": "boom"})
    assert store.release() == 1
    assert store.counts() == {"pending": 3, "running": 0, "done": 0, "failed": 1, "diverged": 0}
    assert store.runs([a["key"]])[0]["error"] == "boom"
    assert store.retry_failed(keys) == 1
    assert store.counts()["pending"] == 4


def test_open_existing_only(tmp_path):
    with pytest.raises(FileNotFoundError, match="no such run store"):
        Store(tmp_path / "missing.sqlite", create=False)
    assert not os.path.exists(tmp_path / "missing.sqlite")


def test_heartbeat_keeps_the_lease_alive(tmp_path):
    from actlab.compare.store import Heartbeat

    store = Store(tmp_path / "s.sqlite", lease=0.4)
    store.add(_configs(tmp_path))
    key = store.claim()["key"]
    first = store.runs([key])[0]["lease_until"]
    with Heartbeat(store):
        time.sleep(0.5)
    assert store.runs([key])[0]["lease_until"] > first + 0.05
    other = Store(tmp_path / "s.sqlite")
    other.owner = "another-host:1"
    time.sleep(0.5)  # no heartbeat any more: the lease lapses and another host may take the run
    assert key in {c["key"] for c in iter(other.claim, None)}


def test_model_and_plan_parsing():
    from actlab.compare import Model, PlanError

    assert Model.parse("mlp:100,100") == Model("mlp", (100, 100))
    assert str(Model.parse(" MLP : 64 ")) == "mlp:64"
    assert Model.parse("cnn") == Model("cnn", (25, 25, 25))
    assert Model.parse("transformer") == Model("transformer", (2, 64))
    assert str(Model.parse("Transformer: 3, 32")) == "transformer:3,32"
    for bad in ("mlp:0", "resnet", "mlp:1,x", "transformer:2", "transformer:2,40"):
        with pytest.raises(PlanError, match="model"):
            Model.parse(bad)
    plan = Plan("ReLU,Swish", "Iris", seeds=[3, 5], store="unused").validate()
    assert plan.activations == ["relu", "swish"] and plan.datasets == ["iris"] and plan.seeds == [3, 5]
    assert len(plan.configs()) == 4 and {c["seed"] for c in plan.configs()} == {3, 5}
