"""Generic fixtures shared by the whole test-suite."""

from __future__ import annotations

import contextlib
import io
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")  # no display in CI

# A developer's own actlab.toml (user-defined activations) must never leak into the tests: point the user registry at
# a file that does not exist. Tests of the registry set their own path.
os.environ["ACTLAB_CONFIG"] = os.path.join(os.path.dirname(__file__), ".no-user-registry.toml")

try:  # Hypothesis is a test extra; quick by default, thorough with HYPOTHESIS_PROFILE=full
    from hypothesis import HealthCheck, settings

    settings.register_profile("default", max_examples=25, deadline=None, derandomize=True,  # CI: same cases
                              suppress_health_check=[HealthCheck.too_slow])
    settings.register_profile("full", max_examples=500, deadline=None,
                              suppress_health_check=[HealthCheck.too_slow])
    settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))
except ImportError:  # pragma: no cover
    pass


def pytest_configure(config):
    # The mpmath references of actlab.reference are pure functions of formula and grid: keep them in pytest's
    # cache directory (shared by xdist workers) unless the user chose a cache directory.
    if "ACTLAB_CACHE_DIR" not in os.environ and getattr(config, "cache", None) is not None:
        os.environ["ACTLAB_CACHE_DIR"] = str(config.cache.mkdir("actlab"))


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded generator: tests are reproducible."""
    return np.random.default_rng(12345)


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def actlab_cli():
    """Run ``actlab ARGS...`` in-process: ``actlab_cli("show", "relu")`` -> CliResult(returncode, stdout, stderr).

    argparse's own errors (exit via SystemExit) are captured like any other exit.
    """
    from actlab.cli import main

    def run(*args: str) -> CliResult:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main([str(a) for a in args])
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
        return CliResult(int(code or 0), out.getvalue(), err.getvalue())

    return run


# Debian's chromium, driven by Playwright (never a downloaded browser): one launch per test module.
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail("Debian's chromium is missing: run `make browser` (apt-get install chromium)")
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        yield b
        b.close()
