"""Where runs execute: in this process, in a local process pool, or on Ray. All three run the same pure function
(``runner.execute``) on the same configuration, so a plan gives the same numbers under each.

An executor is a context manager with ``capacity`` (runs it can hold in flight) and ``submit(config) -> Future``;
the driver in ``actlab.compare.harness`` claims runs from the store, submits them and records their results.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import socket
import sys
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from actlab.compare.runner import execute
from actlab.errors import ActlabError


class InProcess:
    """Runs each configuration at ``submit`` time, in this process (debugging, tiny plans, ``workers=0``)."""

    name = "in-process"
    capacity = 1

    def __enter__(self) -> "InProcess":
        return self

    def __exit__(self, *exc) -> None:
        pass

    def submit(self, config: dict[str, Any]) -> Future:
        future: Future = Future()
        future.set_result(execute(config))
        return future


class Pool:
    """A local process pool, one worker per core by default. Workers are spawned (not forked): the driver holds
    SQLite connections and a heartbeat thread, which a fork would copy in an undefined state."""

    name = "pool"

    def __init__(self, workers: int | None = None):
        self.capacity = workers or os.cpu_count() or 1
        self._pool: ProcessPoolExecutor | None = None

    def __enter__(self) -> "Pool":
        self._pool = ProcessPoolExecutor(self.capacity, mp_context=multiprocessing.get_context("spawn"),
                                         initializer=_watch_parent, initargs=(os.getpid(),))
        return self

    def __exit__(self, *exc) -> None:
        if self._pool is not None:
            # On an error or Ctrl-C, drop queued work; the store gives the claimed runs back.
            self._pool.shutdown(wait=exc[0] is None, cancel_futures=True)

    def submit(self, config: dict[str, Any]) -> Future:
        return self._pool.submit(execute, config)


def _watch_parent(parent: int) -> None:
    """In a pool worker: exit when the driver is gone (a ``kill -9`` of the driver must not leave orphans that hold
    each other's pipes open and idle forever)."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent:
                os._exit(1)

    threading.Thread(target=watch, name="actlab-parent-watch", daemon=True).start()


class Ray:
    """Ray tasks: ``address=None`` or ``"local"`` starts a local runtime, anything else joins that cluster.

    Only the driver touches the store; workers receive a configuration and return a result, so they need actlab
    installed but no access to the store's file.
    """

    name = "ray"

    def __init__(self, address: str | None = None, workers: int | None = None):
        self.address = None if address in (None, "", "local") else address
        self.workers = workers
        self.capacity = 1
        self._started = False

    def __enter__(self) -> "Ray":
        if self.address is not None:
            probe(self.address)  # nothing listening: one line at once, not minutes of Ray's retries
        try:
            import ray
        except ImportError:
            raise ActlabError("--ray needs Ray: pip install 'actlab[ray]'") from None
        if not ray.is_initialized():
            loud = verbose()
            kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": loud,
                                      "logging_level": logging.INFO if loud else logging.ERROR}
            if self.address is None:
                if self.workers:
                    kwargs["num_cpus"] = self.workers
                ray.init(**kwargs)
            else:
                _init_within(ray, self.address, kwargs, CONNECT_SECONDS)
            self._started = True
        self._remote = ray.remote(num_cpus=1)(execute)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        # Keep every CPU busy plus one queued task each, so no worker waits for the driver's next claim.
        self.capacity = self.workers or max(1, cpus) * 2
        return self

    def __exit__(self, *exc) -> None:
        if self._started:
            import ray

            ray.shutdown()

    def submit(self, config: dict[str, Any]) -> Future:
        return self._remote.remote(config).future()


CONNECT_SECONDS = 30.0  # joining a cluster: beyond this the address is refused, not waited on


def verbose() -> bool:
    """True when the user asked for Ray's own logs (``actlab ... --verbose`` sets ACTLAB_VERBOSE=1)."""
    return os.environ.get("ACTLAB_VERBOSE", "") not in ("", "0")


def probe(address: str, timeout: float = 5.0) -> None:
    """Refuse a Ray address nothing listens at (a TCP connection attempt, ``timeout`` seconds at most)."""
    if address == "auto":
        return
    hostport = address.split("://", 1)[-1]
    host, sep, port = hostport.rpartition(":")
    if not sep or not port.isdigit() or not host:
        raise ActlabError(f"--ray {address}: expected HOST:PORT (e.g. 10.0.0.5:6379, the address `ray start --head` "
                          "printed), or no value for a local runtime")
    try:
        socket.create_connection((host.strip("[]"), int(port)), timeout=timeout).close()
    except OSError as err:
        reason = err.strerror or str(err) or type(err).__name__
        raise ActlabError(f"--ray {address}: no Ray cluster answers there ({reason}); start one with `ray start "
                          f"--head --port={port}` on {host}, or give the address it printed") from None


def _silence_native_stderr() -> None:
    """Ray's abandoned connection thread keeps logging from C++ straight to file descriptor 2: point that at
    /dev/null, and Python's sys.stderr at a copy of the original, so actlab's own one-line error still shows."""
    try:
        sys.stderr.flush()
        keep = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(keep, "w", buffering=1)
    except (OSError, ValueError, AttributeError):  # no real descriptor 2 (captured output): nothing to silence
        pass


def _init_within(ray, address: str, kwargs: dict[str, Any], seconds: float) -> None:
    """``ray.init(address)`` that gives up after ``seconds``: something that accepts connections but is not a Ray
    cluster (or one that does not answer) would otherwise keep Ray retrying for minutes."""
    box: dict[str, BaseException] = {}

    def connect() -> None:
        try:
            ray.init(address=address, **kwargs)
        except BaseException as err:  # handed to the caller's thread
            box["error"] = err

    thread = threading.Thread(target=connect, name="actlab-ray-connect", daemon=True)
    thread.start()
    thread.join(seconds)
    if thread.is_alive():
        if not verbose():
            _silence_native_stderr()
        raise ActlabError(f"--ray {address}: no answer from a Ray cluster within {seconds:g} s; check the address "
                          "(`ray status` on the head node prints it)")
    if "error" in box:
        err = box["error"]
        first = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        raise ActlabError(f"--ray {address}: cannot join the Ray cluster: {first}") from None


def make(workers: int | None = None, ray: str | None = None):
    """The executor a plan asks for: Ray when ``ray`` is set, in-process for ``workers=0`` (or 1), else a pool."""
    if ray is not None:
        return Ray(ray, workers)
    if workers is not None and workers <= 1:
        return InProcess()
    return Pool(workers)
