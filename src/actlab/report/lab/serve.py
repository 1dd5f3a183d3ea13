"""Serve a built lab on 127.0.0.1 (the lab also works straight from disk; serving is for sharing a port)."""

from __future__ import annotations

import functools
import http.server
from pathlib import Path


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002  (the stdlib's name) — requests are not results
        pass


def make_server(directory: str | Path, port: int = 8000) -> tuple[http.server.ThreadingHTTPServer, str]:
    """A server for ``directory`` on 127.0.0.1:``port`` (0 picks a free port) and its URL; call serve_forever()."""
    directory = Path(directory)
    if not (directory / "index.html").is_file():
        raise FileNotFoundError(f"{directory} has no index.html; build the lab first with `actlab lab --out {directory}`")
    handler = functools.partial(_QuietHandler, directory=str(directory))
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as err:
        raise ValueError(f"cannot serve on 127.0.0.1:{port}: {err.strerror or err}. Try another port, "
                         f"e.g. --serve {port + 1}.") from None
    return server, f"http://127.0.0.1:{server.server_address[1]}/index.html"
