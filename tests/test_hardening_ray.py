"""`--ray ADDRESS` that cannot be reached fails within 30 s with one line (exit 2); Ray's own log lines stay off the
terminal unless --verbose. Row of issue 18's table: `compare --ray 127.0.0.1:1` hung (killed after 120 s) while
Ray's warnings scrolled by."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import textwrap
import time

import pytest

from actlab.compare.executors import probe
from actlab.errors import ActlabError

COMPARE = ("compare", "-a", "relu", "--dataset", "iris", "--seeds", "1", "--epochs", "1", "-q")


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()  # nothing listens there any more
    return port


def test_probe_refuses_an_address_nothing_listens_at():
    start = time.monotonic()
    with pytest.raises(ActlabError, match=r"--ray 127\.0\.0\.1:\d+: no Ray cluster answers there"):
        probe(f"127.0.0.1:{_closed_port()}")
    assert time.monotonic() - start < 6


@pytest.mark.parametrize("address", ["nohost", "host:", ":6379", "10.0.0.1:port"])
def test_probe_refuses_a_malformed_address(address):
    with pytest.raises(ActlabError, match="expected HOST:PORT"):
        probe(address)


def test_compare_with_an_unreachable_ray_address_is_one_line_and_exit_2(actlab_cli, tmp_path):
    store = tmp_path / "runs.sqlite"
    start = time.monotonic()
    proc = actlab_cli(*COMPARE, "--ray", "127.0.0.1:1", "--store", str(store))
    assert time.monotonic() - start < 30
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert lines == [lines[0]] and lines[0].startswith("actlab compare: error: --ray 127.0.0.1:1: no Ray cluster")


_SILENT = textwrap.dedent("""
    import socket, sys, time
    srv = socket.socket(); srv.bind(("127.0.0.1", 0)); srv.listen(16)  # accepts, never answers
    from actlab.compare import executors
    executors.CONNECT_SECONDS = 3.0
    start = time.monotonic()
    try:
        with executors.Ray(f"127.0.0.1:{srv.getsockname()[1]}"):
            print("connected", file=sys.stderr)
    except Exception as err:
        print(f"{type(err).__name__}: {err}", file=sys.stderr)
    print(f"elapsed {time.monotonic() - start:.1f}")
    sys.stderr.flush()
    time.sleep(6)  # Ray's abandoned connection attempt goes on logging meanwhile (where it may)
""")


@pytest.mark.parametrize("loud", [False, True], ids=["quiet", "verbose"])
def test_an_address_that_never_answers_is_refused_after_the_timeout(loud):
    env = {**os.environ, "ACTLAB_VERBOSE": "1" if loud else "0"}
    proc = subprocess.run([sys.executable, "-c", _SILENT], capture_output=True, text=True, timeout=120, env=env)
    elapsed = float(proc.stdout.split("elapsed")[1])
    assert elapsed < 3.0 + 5.0, elapsed
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    ours = [ln for ln in lines if ln.startswith("ActlabError: --ray 127.0.0.1:")]
    assert len(ours) == 1 and "no answer from a Ray cluster within 3 s" in ours[0], proc.stderr
    if loud:
        assert len(lines) > 1, "with --verbose Ray's own lines are shown"
    else:
        assert lines == ours, proc.stderr


@pytest.mark.slow
def test_a_local_ray_runtime_prints_nothing_of_its_own(tmp_path):
    """A whole `compare --ray` on a local runtime: stderr holds actlab's closing note only."""
    proc = subprocess.run([sys.executable, "-m", "actlab", *COMPARE, "--ray", "--store", str(tmp_path / "r.sqlite")],
                          capture_output=True, text=True, timeout=600, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and re.match(r"\d+ runs in ", lines[0]), proc.stderr
