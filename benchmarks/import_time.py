"""Seconds to ``import actlab; actlab.get('relu')(1.0)`` in a fresh interpreter, with a user registry of 50 formulas.

    python benchmarks/import_time.py [--repeat 7] [--formulas 50]

The registry file (``ACTLAB_CONFIG``, written to a temporary directory) holds ``--formulas`` user activations; the
target is <= 0.3 s however many it holds, because nothing reads it until ``actlab.load_user_activations()`` and
each formula compiles on its first use. The peer, measured in the same run and alternating with actlab, is
``import numpy`` (the floor: actlab imports it); the machine may be shared, so compare the difference, not the total.
Also printed: the same with ``actlab.load_user_activations()`` (a file read, no compilation).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

FORMS = ("x*sigmoid(a*x)", "x*tanh(softplus(a*x))", "log(1+exp(a*x))", "x/(1+abs(a*x))", "max(x, a*x)",
         "x*erf(a*x)", "tanh(a*x)+x/10", "x*exp(-a*x*x)", "a*x/(1+exp(-x))", "sin(a*x)+x")
TIMED = "import time; t = time.perf_counter(); {body}; print(time.perf_counter() - t)"
BODIES = {
    "import numpy": "import numpy",
    "import actlab; get('relu')": "import actlab; actlab.get('relu')(1.0)",
    "... + load_user_activations()": "import actlab; actlab.load_user_activations(); actlab.get('relu')(1.0)",
}


def write_registry(path: Path, n: int) -> None:
    lines = [f'[activations.bench_{i}]\nformula = "{FORMS[i % len(FORMS)]}"\nparams = {{ a = {1.0 + 0.1 * i} }}\n'
             for i in range(n)]
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--formulas", type=int, default=50)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        config = Path(tmp) / "actlab.toml"
        write_registry(config, args.formulas)
        env = {**os.environ, "ACTLAB_CONFIG": str(config)}
        times: dict[str, list[float]] = {label: [] for label in BODIES}
        for _ in range(args.repeat):  # the three take turns, so a burst of load falls on all of them
            for label, body in BODIES.items():
                out = subprocess.run([sys.executable, "-c", TIMED.format(body=body)], env=env, cwd=tmp,
                                     capture_output=True, text=True, check=True)
                times[label].append(float(out.stdout.strip().splitlines()[-1]))
    print(f"median of {args.repeat} fresh interpreters, {args.formulas} user formulas in ACTLAB_CONFIG")
    for label, values in times.items():
        print(f"  {label:32s} {statistics.median(values):.3f} s  (min {min(values):.3f})")
    extra = statistics.median(times["import actlab; get('relu')"]) - statistics.median(times["import numpy"])
    print(f"  actlab beyond numpy: {extra:.3f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
