"""Crawl the whole built lab from index.html in a real browser: every page reachable by links, every image, script,
style sheet and link target resolves, no request fails, no console error, every #fragment exists on its page.

Built from the experiment results shipped in docs/experiments/results (what `make lab` builds from), so the figures
the diagnose page borrows from the experiments are there. Row of issue 18's table: 5 broken images on the diagnose
page (paths relative to experiments/ used from the site root).
"""

from __future__ import annotations

from collections import deque
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlparse

import pytest

from actlab.report.lab import build

pytestmark = pytest.mark.browser

SHIPPED = Path(__file__).resolve().parents[1] / "docs" / "experiments" / "results"

# Every URL-bearing attribute the browser would load or the reader would follow.
_COLLECT = """() => {
  const out = {links: [], loads: [], ids: [...document.querySelectorAll('[id]')].map(e => e.id),
               names: [...document.querySelectorAll('a[name]')].map(e => e.name), broken: []};
  for (const a of document.querySelectorAll('a[href]')) out.links.push(a.href);
  for (const e of document.querySelectorAll('img[src], script[src], iframe[src], source[src]')) out.loads.push(e.src);
  for (const l of document.querySelectorAll('link[href]')) out.loads.push(l.href);
  for (const img of document.querySelectorAll('img')) {
    if (img.complete && img.naturalWidth === 0) out.broken.push(img.currentSrc || img.src);
  }
  return out;
}"""


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("lab-crawl")
    index = build(base / "site", results=[SHIPPED], store=base / "none.sqlite")
    return index.parent


def _local(url: str, root: Path) -> Path | None:
    """The file a file:// URL inside the site points at (None for anything else)."""
    parsed = urlparse(url)
    if parsed.scheme != "file":
        return None
    return Path(unquote(parsed.path))


def test_every_page_image_and_link_of_the_built_lab_resolves(lab, browser):
    root = lab.resolve()
    start = root / "index.html"
    queue, seen = deque([start]), {start}
    problems: list[str] = []
    fragments: list[tuple[Path, str, Path]] = []  # (target page, id, linking page)
    ids: dict[Path, set[str]] = {}
    diagnose_images = 0
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"console: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    # ERR_ABORTED: a request of the page being left (the next goto cancels it); every load is also checked on disk
    page.on("requestfailed", lambda r: errors.append(f"failed request: {r.url} ({r.failure})")
            if "ERR_ABORTED" not in str(r.failure) else None)
    page.on("request", lambda r: errors.append(f"request leaves the site: {r.url}")
            if not r.url.startswith(("file://", "data:", "blob:", "about:")) else None)
    while queue:
        path = queue.popleft()
        errors.clear()
        page.goto(path.as_uri(), wait_until="load")
        page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")  # lazy images load too
        page.wait_for_load_state("load")
        found = page.evaluate(_COLLECT)
        rel = path.relative_to(root)
        problems += [f"{rel}: {e}" for e in errors]
        problems += [f"{rel}: broken image {src}" for src in found["broken"]]
        ids[path] = set(found["ids"]) | set(found["names"])
        if rel.name == "diagnose.html":
            diagnose_images = sum(1 for u in found["loads"] if u.endswith((".svg", ".png")))
        for url in found["loads"]:
            target = _local(url, root)
            if target is not None and not target.is_file():
                problems.append(f"{rel}: loads {url}, which does not exist")
        for url in found["links"]:
            address, fragment = urldefrag(url)
            target = _local(address, root)
            if target is None:
                continue  # http(s) references (papers) are links to read, not requests the lab makes
            if not target.exists():
                problems.append(f"{rel}: links to {url}, which does not exist")
                continue
            if root not in target.resolve().parents and target.resolve() != root:
                problems.append(f"{rel}: links outside the site: {url}")
                continue
            if fragment:
                fragments.append((target, fragment, path))
            if target.suffix == ".html" and target not in seen:
                seen.add(target)
                queue.append(target)
    page.close()
    for target, fragment, source in fragments:
        if target in ids and fragment not in ids[target]:
            problems.append(f"{source.relative_to(root)}: links to #{fragment} on {target.relative_to(root)}, "
                            "which has no such id")
    assert not problems, "\n".join(problems[:40])
    html_pages = {p.resolve() for p in root.rglob("*.html")}
    assert html_pages <= seen, f"pages no link reaches: {sorted(str(p) for p in html_pages - seen)}"
    assert diagnose_images >= 5, "the diagnose page shows the figures of the experiments behind each diagnosis"
