"""Every example a reader is shown is executed: the code blocks of README.md and docs/*.md and the examples of every
``--help`` epilog, found generically (so the test follows the docs as they change).

* Python blocks with ``>>>`` run as doctests, their shown output compared (``...`` elides).
* Other Python blocks run as scripts in a scratch directory when they are self-contained; a fragment that uses names
  it does not define (``model``, ``loader``: the reader's own objects) is compiled, which catches syntax errors.
* Shell lines (``$ actlab ...`` in a block, or bare ``actlab ...`` lines of a command block, and the epilogs'
  examples) are first parsed by the real argument parser, then run in a scratch directory. The workload of a
  training command is scaled down to keep the suite quick (``--seeds``, ``--epochs``, ``--budget`` lowered, see
  :data:`SCALE`); where the docs show output for an unscaled command, the output is compared line by line, numbers
  compared as numbers-of-some-value (they depend on the machine and the load) and ``...`` eliding.
"""

from __future__ import annotations

import ast
import builtins
import doctest
import os
import re
import shlex
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
SHELL_LANGS = {"", "console", "sh", "shell", "bash"}
# Commands that are not actlab's own: the test suite itself, and the build step whose command (`actlab lab --out
# actlab-lab`) runs here from `actlab --help`.
NOT_RUN = {"make test": "is this test suite", "make lab": "runs `actlab lab --out actlab-lab`, run from --help"}
# Options that make a command long by design, each with why it is not run (the rest of the command line is parsed)
NOT_RUN_WITH = {"--serve": "serves until Ctrl-C (the build it serves runs without --serve)",
                "--full": "the full-scale form, hours on 2 cores (its quick form runs)",
                "--robustness": "re-runs each experiment at three budgets and on three seed sets, 7 minutes on 2 "
                                "cores for `all` (tests/test_experiments_robustness.py runs the check itself)"}
# Examples known to fail as written, each with why; one that starts to work fails the test until removed from here.
KNOWN_BROKEN: dict[str, str] = {}
# option -> value: the workload of an example, scaled down (the code path is the same; the shown numbers are not)
SCALE = {"--seeds": "2", "-s": "2", "--epochs": "1", "-e": "1", "--budget": "6", "--top": "2", "--screen-epochs": "1"}


@dataclass(frozen=True)
class Example:
    where: str  # file:line
    kind: str  # "doctest", "python", "shell"
    code: str
    shown: tuple[str, ...] = ()  # output lines shown under a shell command
    block: str = ""  # file:line of the code block it is in

    def __str__(self) -> str:
        return self.where


def _blocks(path: Path):
    text = path.read_text(encoding="utf-8")
    for m in re.finditer(r"^```([\w-]*)[^\n]*\n(.*?)^```", text, re.S | re.M):
        yield m.group(1).lower(), m.group(2), text[: m.start()].count("\n") + 2


def _is_synopsis(line: str) -> bool:
    """`actlab lab [--out DIR] [--full]`: a usage line with optional parts and placeholders, not an example."""
    return "[" in line and "]" in line and bool(re.search(r"\[-{1,2}\w", line))


def _shell_examples(block: str, where: str, first_line: int) -> list[Example]:
    lines = block.splitlines()
    prompted = any(ln.startswith("$ ") for ln in lines)
    out: list[Example] = []
    for i, line in enumerate(lines):
        if prompted:
            if not line.startswith("$ "):
                continue
            command = line[2:]
            shown = []
            for follow in lines[i + 1 :]:
                if follow.startswith("$ "):
                    break
                shown.append(follow)
        else:
            if not re.match(r"(actlab|make) ", line) or _is_synopsis(line):
                continue
            command, shown = line, []
        out.append(Example(f"{where}:{first_line + i}", "shell", command.strip(), tuple(shown),
                           f"{where}:{first_line - 1}"))
    return out


def _epilog_examples() -> list[Example]:
    from actlab.cli import build_parser

    parser = build_parser()
    parsers = {"actlab": parser}
    for action in parser._subparsers._group_actions:
        for name, sub in action.choices.items():
            parsers[f"actlab {name}"] = sub
    out = []
    for label, p in parsers.items():
        lines = [ln.strip() for ln in (p.epilog or "").splitlines() if ln.strip().startswith("actlab ")]
        out += [Example(f"{label} --help #{n}", "shell", line) for n, line in enumerate(lines, start=1)]
    return out


def discover() -> list[Example]:
    found: list[Example] = []
    for path in DOCS:
        rel = path.relative_to(ROOT)
        for lang, body, line in _blocks(path):
            where = f"{rel}:{line}"
            if lang in ("python", "py", "pycon"):
                kind = "doctest" if re.search(r"^>>> ", body, re.M) else "python"
                found.append(Example(where, kind, body))
            elif lang in SHELL_LANGS:
                found += _shell_examples(body, str(rel), line)
    return found + _epilog_examples()


EXAMPLES = discover()
DOCTESTS = [e for e in EXAMPLES if e.kind == "doctest"]
SCRIPTS = [e for e in EXAMPLES if e.kind == "python"]
SHELL = [e for e in EXAMPLES if e.kind == "shell"]


def _blocks_of_commands() -> dict[str, list[Example]]:
    """Shell examples by the block (or --help epilog) that shows them, in order: a block's commands build on each
    other (define, then show, then remove), so they run in turn in one directory."""
    out: dict[str, list[Example]] = {}
    for e in SHELL:
        block = e.where.split(" #")[0] if "--help" in e.where else e.block
        out.setdefault(block, []).append(e)
    return out


BLOCKS = _blocks_of_commands()


def test_discovery_finds_the_examples_of_every_source():
    sources = {e.where.split(":")[0].split(" --help")[0] for e in EXAMPLES}
    assert "README.md" in sources and "actlab" in sources
    assert any(s.startswith("docs/") for s in sources)
    assert {e.where for e in SHELL if "--help" in e.where} >= {"actlab --help #1", "actlab compare --help #1"}


@pytest.fixture
def scratch(tmp_path, monkeypatch):
    """A directory to run examples in: its own user registry, and the files the examples assume (my.csv)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    y = (X[:, 0] + X[:, 1] > 0).astype(int)
    rows = ["f1,f2,f3,label"] + [f"{a:.4f},{b:.4f},{c:.4f},{t}" for (a, b, c), t in zip(X, y)]
    (tmp_path / "my.csv").write_text("\n".join(rows) + "\n")
    (tmp_path / "my_model.py").write_text(  # `actlab diagnose --model my_model.py --dataset digits`
        "import torch\n\n\ndef model():\n    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), "
        "torch.nn.Linear(32, 10))\n")
    (tmp_path / "pyproject.toml").write_text("")  # the project root: actlab.toml here is the user registry
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACTLAB_CONFIG", str(tmp_path / "actlab.toml"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    return tmp_path


# --- Python ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("example", DOCTESTS, ids=str)
def test_python_doctest_example(example, scratch):
    parser = doctest.DocTestParser()
    test = parser.get_doctest(example.code, {}, example.where, example.where, 0)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report: list[str] = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert runner.tries > 0


def _free_names(tree: ast.AST) -> set[str]:
    """Names a block reads but neither assigns, imports nor gets from builtins: the reader's own objects."""
    bound, loaded = set(dir(builtins)), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, (ast.Store, ast.Del)) else loaded).add(node.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef)):
            bound.add(node.name)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    return loaded - bound


@pytest.mark.parametrize("example", SCRIPTS, ids=str)
def test_python_block_example(example, scratch):
    tree = compile(example.code, example.where, "exec", ast.PyCF_ONLY_AST)  # a SyntaxError fails the test
    code = compile(tree, example.where, "exec")
    if _free_names(tree):
        return  # a fragment on the reader's own objects: compiled (above), not run
    exec(code, {"__name__": "__example__"})


def _runnable(example: Example) -> bool:
    try:
        return not _free_names(ast.parse(example.code))
    except SyntaxError:
        return False


def test_at_least_one_python_block_runs_as_a_script():
    runnable = [e for e in SCRIPTS if _runnable(e)]
    assert runnable, "every Python block is a fragment: the self-contained ones are the proof the API works"


# --- shell -----------------------------------------------------------------------------------------------------
def _argv(command: str) -> list[str]:
    return shlex.split(command, comments=True)


def _accepted_options(command: str) -> set[str]:
    from actlab.cli import build_parser

    for action in build_parser()._subparsers._group_actions:
        if command in action.choices:
            return set(action.choices[command]._option_string_actions)
    return set()


def _scaled(argv: list[str]) -> tuple[list[str], bool]:
    """The example's argv with its workload scaled down: each SCALE option given a larger value is lowered, and each
    one the subcommand accepts but the example leaves at its default is added (a default budget is a long one)."""
    out, scaled = list(argv), False
    for i, arg in enumerate(out[:-1]):
        if arg in SCALE and out[i + 1] != SCALE[arg]:
            try:
                if float(out[i + 1]) <= float(SCALE[arg]):
                    continue
            except ValueError:
                continue
            out[i + 1], scaled = SCALE[arg], True
    accepted = _accepted_options(argv[1]) if len(argv) > 1 else set()
    given = {a.split("=")[0] for a in argv}
    for option, value in SCALE.items():
        if option.startswith("--") and option in accepted and option not in given and not (
                option == "--epochs" and "-e" in given) and not (option == "--seeds" and "-s" in given):
            out += [option, value]
            scaled = True
    return out, scaled


_NUMBER = r"-?\d[\d,]*(?:\.\d+)?(?:e[+-]?\d+)?"


def _pattern(shown: str) -> re.Pattern:
    """A shown output line as a regex: numbers match any number, '...' anything, spacing is free."""
    parts = re.split(rf"(\.\.\.|{_NUMBER}|\s+)", shown.strip())
    rx = []
    for part in parts:
        if not part:
            continue
        if part == "...":
            rx.append(".*")
        elif part.isspace():
            rx.append(r"\s+")
        elif re.fullmatch(_NUMBER, part):
            rx.append(_NUMBER)
        else:
            rx.append(re.escape(part))
    return re.compile("".join(rx))


def _compare(shown: tuple[str, ...], output: str) -> list[str]:
    """Shown lines not found, in order, in the output (a subsequence match; '...' lines elide)."""
    actual = [ln for ln in output.splitlines() if ln.strip()]
    missing, pos = [], 0
    for line in shown:
        if not line.strip() or line.strip() == "...":
            continue
        rx = _pattern(line)
        for j in range(pos, len(actual)):
            if rx.fullmatch(actual[j].strip()):
                pos = j + 1
                break
        else:
            missing.append(line)
    return missing


@pytest.mark.parametrize("example", SHELL, ids=str)
def test_shell_example_parses(example):
    argv = _argv(example.code)
    if " ".join(argv) in NOT_RUN:
        return
    assert argv[0] == "actlab", f"{example.where}: {example.code!r} is not an actlab command"
    from actlab.cli import build_parser

    try:
        args = build_parser().parse_args(argv[1:])
    except SystemExit as exc:
        pytest.fail(f"{example.where}: `{example.code}` is refused by the argument parser (exit {exc.code})")
    assert getattr(args, "func", None) is not None


def _run_one(example: Example, cwd: Path) -> str:
    """Run one shell example (scaled) in ``cwd``; '' if it ran as shown, else why not (skips are named)."""
    argv, scaled = _scaled(_argv(example.code))
    command = shlex.join(argv)
    if " ".join(argv) in NOT_RUN:
        return ""  # named in NOT_RUN, tested elsewhere
    if any(flag in argv for flag in NOT_RUN_WITH):
        return ""  # named in NOT_RUN_WITH; its command line is parsed by test_shell_example_parses
    env = {**os.environ, "COLUMNS": "200"}
    proc = subprocess.run([sys.executable, "-m", "actlab", *argv[1:]], capture_output=True, text=True, cwd=cwd,
                          env=env, timeout=900)
    if example.where in KNOWN_BROKEN:
        return "" if proc.returncode != 0 else f"{example.where} works now: remove it from KNOWN_BROKEN"
    if proc.returncode != 0:
        return f"{example.where}: `{command}` exited {proc.returncode}:\n{proc.stderr[-2000:]}"
    if example.shown and not scaled:
        missing = _compare(example.shown, proc.stdout + "\n" + proc.stderr)
        if missing:
            return (f"{example.where}: `{example.code}` printed\n{proc.stdout[-3000:]}\nwhich lacks the shown "
                    f"lines:\n" + "\n".join(missing))
    return ""


# Every shell example runs in `make test`, scaled down (SCALE); the blocks are independent tests, so pytest-xdist
# spreads them over the cores.
@pytest.mark.parametrize("block", list(BLOCKS))
def test_shell_examples_run(block, scratch):
    problems = [p for p in (_run_one(e, scratch) for e in BLOCKS[block]) if p]
    assert not problems, "\n\n".join(problems)


def test_scaling_lowers_and_adds_the_budget_options():
    argv, scaled = _scaled(["actlab", "compare", "-a", "relu", "--epochs", "150"])
    assert scaled and argv[argv.index("--epochs") + 1] == "1" and argv[argv.index("--seeds") + 1] == "2"
    argv, scaled = _scaled(["actlab", "search", "--budget", "200", "--seeds", "1"])
    assert argv[argv.index("--budget") + 1] == "6" and argv.count("--seeds") == 1 and "--epochs" in argv
    assert _scaled(["actlab", "show", "gelu"]) == (["actlab", "show", "gelu"], False)  # show has no budget
