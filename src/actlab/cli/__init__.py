"""The ``actlab`` command: a thin layer over tested library functions.

Each sub-command lives in its own module of this package and declares what its ``--help`` shows (``HELP``,
``DESCRIPTION``, ``EXAMPLES``), its options (``add_arguments(parser)``) and ``run(args) -> int``; :func:`add_command`
registers it. Results go to stdout, progress and diagnostics to stderr; bad input is one line on stderr and a
non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

import actlab
from actlab.errors import ActlabError

# Sub-command modules, in the order `actlab --help` lists them.
COMMANDS = (
    "lab",
    "list_",
    "show",
    "plot",
    "example",
    "experiment",
    "recommend",
    "compare",
    "define",
    "search",
    "diagnose",
)

EPILOG = """examples:
  actlab list
  actlab show gelu
  actlab show elu --param alpha=0.5
  actlab plot relu sigmoid tanh --derivative -o acts.png
  actlab lab --out actlab-lab
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # one line, exit code 2, like every other bad input
        self.exit(2, f"{self.prog}: error: {message}\n")


def add_command(subparsers, name: str, module) -> None:
    """Register the sub-command ``name`` that ``module`` declares (its help texts, options and ``run``)."""
    parser = subparsers.add_parser(name, help=module.HELP, description=module.DESCRIPTION, epilog=module.EXAMPLES,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    module.add_arguments(parser)
    parser.set_defaults(func=module.run)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="actlab",
        description="actlab — the activation-function laboratory.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    from actlab import __version__

    parser.add_argument("--version", action="version", version=f"actlab {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"actlab.cli.{name}")
        except ModuleNotFoundError as err:  # a sub-command not written yet
            if err.name == f"actlab.cli.{name}":
                continue
            raise
        add_command(sub, name.rstrip("_"), module)  # the module list_ is the command list
    for command in sub.choices.values():  # one switch for every command's third-party logs (Ray's, ...)
        if "--verbose" not in command._option_string_actions:
            command.add_argument("--verbose", action="store_true",
                                 help="show the logs of the libraries underneath (Ray's, ...)")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help(sys.stderr)
        return 2
    if getattr(args, "verbose", False):
        os.environ["ACTLAB_VERBOSE"] = "1"
    try:
        actlab.load_user_activations()  # the documented moment: the command's start (each compiles on first use)
        return int(args.func(args) or 0)
    except (ActlabError, ValueError, FileNotFoundError) as err:
        print(f"actlab {args.command}: error: {err}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"actlab {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
