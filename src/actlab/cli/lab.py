"""``actlab lab``: build the offline HTML laboratory and print the path of its index.html."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "build the offline HTML laboratory"

DESCRIPTION = ("Build a self-contained website — catalog with interactive plots, comparisons, experiments, "
               "leaderboard — that opens from disk with no network.")

EXAMPLES = """examples:
  actlab lab                       # build ./actlab-lab and print the path of index.html
  actlab lab --out /tmp/lab --serve 8000
  actlab lab --full                # also run the quick form of experiments that have no stored result
"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--out", default="actlab-lab", metavar="DIR", help="output directory (default: ./actlab-lab)")
    p.add_argument("--full", action="store_true",
                   help="run the quick form of every experiment that has no stored result (slower)")
    p.add_argument("--serve", nargs="?", const=8000, type=int, default=None, metavar="PORT",
                   help="after building, serve DIR on 127.0.0.1:PORT (default 8000) until interrupted")
    p.add_argument("--results", action="append", metavar="DIR",
                   help="directory of stored experiment results (NAME/result.json); "
                        "default: docs/experiments/results. May be given several times")
    p.add_argument("--store", metavar="PATH", help="comparison store for the leaderboard (default: actlab-runs.sqlite)")
    p.add_argument("--search", metavar="PATH", dest="search_store",
                   help="store of `actlab search` (or its .search.json) for the search page "
                        "(default: actlab-search.sqlite)")


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from actlab.report.lab import build, make_server

    if args.serve is not None and not 0 <= args.serve <= 65535:
        raise ValueError(f"--serve takes a port number in [0, 65535]; got {args.serve}.")
    console = Console(stderr=True)
    with Progress(TextColumn("[bold]lab[/bold]"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                  TimeElapsedColumn(), TextColumn("{task.description}"), console=console, transient=True) as bar:
        task = bar.add_task("starting", total=1000)

        def progress(message: str, fraction: float) -> None:
            bar.update(task, completed=round(1000 * fraction), description=message)

        index = build(args.out, full=args.full, results=[Path(r) for r in args.results] if args.results else None,
                      store=args.store, search_store=args.search_store, progress=progress)
    print(index.resolve())
    if args.serve is None:
        return 0
    server, url = make_server(index.parent, args.serve)
    print(url, flush=True)
    print("serving; press Ctrl-C to stop", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
