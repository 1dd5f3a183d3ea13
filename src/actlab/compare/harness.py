"""The driver: put a plan's runs in the store, claim them one at a time, run them on an executor, record results.

Only the driver writes to the store. It claims a run only when the executor has room for it, so two drivers on
one store interleave run by run, and a driver that dies holds at most ``capacity`` runs, which are redone.
"""

from __future__ import annotations

import time
from concurrent.futures import FIRST_COMPLETED, Future, wait
from typing import Any, Callable

from actlab.compare import datasets, executors
from actlab.compare.plan import Plan
from actlab.compare.store import Heartbeat, Store

POLL_SECONDS = 0.5

# progress(done, total, last_result_or_None) — called after every recorded run and while waiting on others.
Progress = Callable[[int, int, "dict[str, Any] | None"], None]


def prepare(plan: Plan) -> Plan:
    """Validate the plan and its data before anything is written: a bad CSV leaves no store behind."""
    plan.validate()
    if plan.data is not None:
        datasets.check_csv(plan.dataset_configs()[0], plan.seeds)
    plan.configs()
    return plan


def execute_plan(plan: Plan, progress: Progress | None = None, executor=None) -> Store:
    """Run every run of ``plan`` not finished in its store yet; return the store. Resumable and shareable."""
    prepare(plan)
    return execute_configs(plan.configs(), plan.store, progress, executor or executors.make(plan.workers, plan.ray))


def execute_configs(configs: list[dict[str, Any]], store_path, progress: Progress | None = None,
                    executor=None) -> Store:
    """Run every configuration (each with its ``key``) not finished in the store at ``store_path``; return the
    store. The protocol calls this once per phase (tuning grid, grid extension, evaluation)."""
    keys = [c["key"] for c in configs]
    store = Store(store_path)
    store.add(configs)
    store.retry_failed(keys)
    total = len(keys)
    executor = executor or executors.make()
    in_flight: dict[Future, str] = {}

    def finished() -> int:
        c = store.counts(keys)
        return c["done"] + c["diverged"] + c["failed"]

    if progress:
        progress(finished(), total, None)
    try:
        with Heartbeat(store), executor:
            while True:
                while len(in_flight) < executor.capacity:
                    config = store.claim(keys)
                    if config is None:
                        break
                    in_flight[executor.submit(config)] = config["key"]
                if not in_flight:
                    counts = store.counts(keys)
                    if counts["pending"] == 0 and counts["running"] == 0:
                        break
                    # Another process holds the rest: wait for it (or for its lease to lapse, then take over).
                    time.sleep(POLL_SECONDS)
                    if progress:
                        progress(finished(), total, None)
                    continue
                done, _ = wait(list(in_flight), timeout=POLL_SECONDS, return_when=FIRST_COMPLETED)
                for future in done:
                    key = in_flight.pop(future)
                    try:
                        result = future.result()
                    except Exception as err:  # the worker process itself died (OOM, segfault, lost Ray node)
                        result = {"status": "failed", "error": f"worker lost: {type(err).__name__}: {err}"}
                    store.finish(key, result)
                    if progress:
                        progress(finished(), total, {**result, "key": key})
    except BaseException:
        store.release(keys)  # Ctrl-C or a crash of the driver's own code: hand the claimed runs back
        raise
    return store
