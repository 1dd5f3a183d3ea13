"""A hard budget for symbolic work on user formulas: CPU time, wall time, memory and expression-tree size.

SymPy and mpmath are pure Python that can run for ever on a 37-character formula (``exp(exp(exp(exp(exp(exp(exp(x)
))))))``: mpmath computes ln 2 to millions of digits to evaluate it) or grow without bound (``2**2**2**2**2**2**x``).
No cooperative check reaches inside them, and a signal-based timer neither interrupts a long C-level big-integer
operation nor bounds memory nor works outside the main thread. So the work runs in a forked child process:

* the child sets ``RLIMIT_AS`` to its size at the fork plus ``megabytes`` (an allocation beyond raises MemoryError
  there) and ``RLIMIT_CPU`` to ``cpu_seconds`` (the kernel stops it with SIGXCPU);
* the parent waits ``wall_seconds`` for the answer, then kills it -- unless the machine is so busy that the child
  has had less than half of that in CPU time: a formula is not refused for the load of other processes, so the
  deadline then moves on, up to ``starved_seconds``; the child reports the step it is in before each step, so a
  refusal says which part of the work was too expensive;
* the answer comes back pickled (SymPy trees included), so nothing is computed twice.

A fork copies the registry and every user activation as they are, so the child sees exactly what the caller sees,
in any thread. Where ``os.fork`` does not exist the work runs in-process, bounded by the tree-size checks only.
"""

from __future__ import annotations

import gc
import math
import os
import pickle
import resource
import select
import signal
import struct
import time
from dataclasses import dataclass, replace
from typing import Any, Callable, Iterable

import sympy as sp

from actlab.errors import FormulaError


@dataclass(frozen=True)
class Limits:
    """The budget of one formula's symbolic work (parse excluded: it is bounded by the parser's own limits)."""

    cpu_seconds: float = 2.0  # CPU time of the work: what the formula costs, whatever else the machine runs
    wall_seconds: float = 4.0  # the stop for work that is not using its CPU budget (waiting, thrashing)
    starved_seconds: float = 30.0  # the absolute stop: a child starved of CPU by a busy machine may run this long
    megabytes: int = 300  # memory the work may add to the process
    nodes: int = 10_000  # nodes of any expression tree formed (formula, stable form, derivatives)


LIMITS = Limits()


def limits(**changes: float) -> Limits:
    """The current limits with ``changes`` applied (``limits(cpu_seconds=5)``); pass the result as ``budget=``."""
    return replace(LIMITS, **changes)


# --- expression size --------------------------------------------------------------------------------------------
def tree_size(expr: sp.Basic, stop: int) -> int:
    """Nodes of ``expr`` counted as a tree (shared sub-expressions once per use), counting stops above ``stop``."""
    n = 0
    stack = [expr]
    while stack:
        e = stack.pop()
        n += 1
        if n > stop:
            return n
        stack.extend(e.args)
    return n


def check_size(exprs: Iterable[tuple[str, sp.Basic]], text: str, budget: Limits | None = None) -> None:
    """Refuse when one of the named trees has more nodes than the budget allows (before SymPy works on it)."""
    cap = (budget or LIMITS).nodes
    for what, expr in exprs:
        if tree_size(expr, cap) > cap:
            raise FormulaError(
                f"The formula {text!r} is too large to work with: its {what} has more than {cap:,} nodes "
                f"(the budget of symbolic work). Simplify the formula or split it into named activations.")


# --- the child process ------------------------------------------------------------------------------------------
class _Pickler(pickle.Pickler):
    """Pickles the classes :func:`actlab.formula.primitives.catalog_call` makes at run time by name."""

    def reducer_override(self, obj):
        from actlab.formula.primitives import CatalogCall, CatalogPrime, catalog_call

        if isinstance(obj, type) and issubclass(obj, (CatalogCall, CatalogPrime)) and obj.act_name:
            return catalog_call, (obj.act_name, issubclass(obj, CatalogPrime))
        return NotImplemented


def _dumps(value: Any) -> bytes:
    import io

    buf = io.BytesIO()
    _Pickler(buf, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buf.getvalue()


def _send(fd: int, kind: bytes, payload: bytes) -> None:
    data = kind + struct.pack("<Q", len(payload)) + payload
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


class Steps:
    """Given to the work function: ``steps("derivative")`` tells the parent what runs now (for the message)."""

    def __init__(self, fd: int | None):
        self.fd = fd
        self.current = "start"

    def __call__(self, name: str) -> None:
        self.current = name
        if self.fd is not None:
            _send(self.fd, b"S", name.encode())


def _vm_bytes() -> int | None:
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _child(fd: int, fn: Callable[..., Any], args: tuple, budget: Limits) -> None:
    """Run ``fn`` under the limits and send ("R", result) or ("E", exception); never returns."""
    code = 0
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: it kills this child
        gc.disable()  # a collection walks every inherited object, copying each page it touches; this child is brief
        size = _vm_bytes()
        if size is not None:
            cap = size + budget.megabytes * 2**20
            resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
        cpu = max(1, math.ceil(budget.cpu_seconds))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        steps = Steps(fd)
        try:
            result = fn(*args, steps=steps)
            payload = b"R", _dumps(result)
        except MemoryError:
            payload = b"M", steps.current.encode()
        except BaseException as err:  # every failure goes back to the caller, as the caller's exception
            try:
                payload = b"E", _dumps(err)
            except Exception:
                payload = b"E", _dumps(FormulaError(f"{type(err).__name__}: {err}"))
        _send(fd, *payload)
    except BaseException:
        code = 1
    finally:
        os._exit(code)


def _starved(pid: int, elapsed: float) -> tuple[bool, float | None]:
    """(runnable but had less than half of ``elapsed`` on a CPU, CPU seconds so far) for a child, from /proc.

    Runnable-but-starved is a busy machine; a sleeping or blocked child is not starved, it is stuck."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        cpu = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return False, None
    return fields[0] == "R" and cpu < 0.5 * elapsed, cpu


def run(fn: Callable[..., Any], *args: Any, text: str, budget: Limits | None = None) -> Any:
    """``fn(*args, steps=Steps)`` under ``budget`` in a child process; its result, or its exception re-raised.

    Exceeding the budget raises :class:`FormulaError` naming the formula, the limit and the step.
    """
    budget = budget or LIMITS
    if not hasattr(os, "fork"):
        return fn(*args, steps=Steps(None))
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover  (the child; coverage does not follow it)
        os.close(read_fd)
        _child(write_fd, fn, args, budget)
    os.close(write_fd)
    step, kind, payload = "start", None, b""
    buf = b""
    start = time.monotonic()
    deadline = start + budget.wall_seconds
    status, cpu = None, None
    try:
        while kind is None:
            now = time.monotonic()
            if now >= deadline:
                starved, cpu = _starved(pid, now - start)
                if not starved or now - start >= budget.starved_seconds:
                    break
                deadline = min(now + 0.25, start + budget.starved_seconds)
            ready, _, _ = select.select([read_fd], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 20)
            if not chunk:
                break  # the child died without an answer
            buf += chunk
            while len(buf) >= 9:
                size = struct.unpack("<Q", buf[1:9])[0]
                if len(buf) < 9 + size:
                    break
                tag, body, buf = buf[:1], buf[9 : 9 + size], buf[9 + size :]
                if tag == b"S":
                    step = body.decode()
                else:
                    kind, payload = tag, body
    finally:
        os.close(read_fd)
        if kind is None:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        _, status = os.waitpid(pid, 0)
    if kind == b"R":
        return pickle.loads(payload)
    if kind == b"E":
        raise pickle.loads(payload)
    if kind == b"M":
        step = payload.decode()
        raise FormulaError(f"The formula {text!r} needs more memory than its budget of {budget.megabytes} MB "
                           f"(during: {step}). Simplify it, or raise the budget (actlab.formula.budget.limits).")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU:
        raise FormulaError(f"The formula {text!r} needs more than its budget of {budget.cpu_seconds:g} s of CPU time "
                           f"(during: {step}). Simplify it, or raise the budget (actlab.formula.budget.limits).")
    if os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL:
        elapsed = time.monotonic() - start
        used = "" if cpu is None else f", {cpu:.1f} s of it on the CPU"
        raise FormulaError(f"The formula {text!r} did not finish within {max(elapsed, budget.wall_seconds):.3g} s "
                           f"(during: {step}{used}); its symbolic work is refused. Simplify it, or raise the budget "
                           f"(actlab.formula.budget.limits).")
    raise FormulaError(f"Working on the formula {text!r} stopped unexpectedly (during: {step}; exit status "
                       f"{status}).")
