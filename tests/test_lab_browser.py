"""The lab in a real browser: Debian's chromium driven by Playwright, every page opened from file://.

Checks: no console errors, no failed requests and none leaving file://, every plot drew data (data attributes and
canvas pixels), formulas rendered as MathML with a size, sliders change the curve, sorting and filtering change the
table, the compare picker changes the plots, the generated JavaScript agrees with NumPy, every link resolves.
Screenshots go to test-artifacts/ at the repository root.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest

from actlab.report.lab import build

from _lab_helpers import fake_results, fake_search, html_files

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"


@pytest.fixture(scope="module")
def lab(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("lab-browser")
    index = build(base / "site", results=[fake_results(base / "results")], store=base / "none.sqlite",
                  search_store=fake_search(base / "search"))
    return index.parent


class Visit:
    """A page opened from file:// with every console message, page error and request recorded."""

    def __init__(self, browser, path: Path):
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.errors: list[str] = []
        self.failed: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.failed.append(f"{r.url} {r.failure}"))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("html[data-lab-ready=true]", timeout=15000)
        self.page.wait_for_load_state("load")

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.page.close()

    def js(self, script: str, arg=None):
        return self.page.evaluate(script, arg)


def _shot(visit: Visit, name: str, full: bool = False) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    visit.page.screenshot(path=str(ARTIFACTS / name), full_page=full)


def test_every_page_loads_offline_without_errors_and_draws_its_plots(lab, browser):
    pages = html_files(lab)
    assert len(pages) >= 7
    for path in pages:
        rel = path.relative_to(lab).as_posix()
        with Visit(browser, path) as v:
            assert v.errors == [], f"{rel}: console errors {v.errors}"
            assert v.failed == [], f"{rel}: failed requests {v.failed}"
            outside = [u for u in v.requests if not u.startswith("file://")]
            assert outside == [], f"{rel}: requests leaving file:// {outside}"
            plots = v.js("""() => Array.from(document.querySelectorAll('.act-plot')).map(e => ({
                id: e.id, drawn: e.dataset.drawn, points: Number(e.dataset.points || 0)}))""")
            for p in plots:
                assert p["drawn"] == "true" and p["points"] > 50, f"{rel}: plot {p} has no data"
            images = v.js("() => Array.from(document.images).map(i => [i.src, i.complete && i.naturalWidth > 0])")
            assert all(ok for _, ok in images), f"{rel}: broken images {images}"
            _check_links(v, path)
            _shot(v, rel.replace("/", "_").replace(".html", ".png"))


def test_canvas_pixels_show_the_curves(lab, browser):
    with Visit(browser, lab / "catalog.html") as v:
        coloured = v.js("""() => Array.from(document.querySelectorAll('.act-plot canvas')).slice(0, 6).map(c => {
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
            let n = 0;
            for (let i = 0; i < d.length; i += 4) {  // saturated pixels: the curves, not the grey grid
                const mx = Math.max(d[i], d[i+1], d[i+2]), mn = Math.min(d[i], d[i+1], d[i+2]);
                if (mx - mn > 80) n++;
            }
            return n; })""")
        assert coloured and all(n > 200 for n in coloured), coloured


def test_formulas_render_as_mathml_with_a_size(lab, browser):
    with Visit(browser, lab / "catalog.html") as v:
        sizes = v.js("""() => Array.from(document.querySelectorAll('.card math')).map(m => {
            const r = m.getBoundingClientRect(); return [r.width, r.height]; })""")
        n_cards = v.js("() => document.querySelectorAll('.card').length")
        assert len(sizes) >= n_cards  # f for every card, f' for the elementwise ones
        assert all(w > 5 and h > 5 for w, h in sizes), sizes
        # MathML laid out as math: a fraction is taller than a line of text
        assert v.js("() => Math.max(...Array.from(document.querySelectorAll('.card mfrac')).map(m => "
                    "m.getBoundingClientRect().height))") > 20


def test_parameter_slider_changes_the_plotted_curve(lab, browser):
    with Visit(browser, lab / "catalog.html") as v:
        card = v.js("() => { const s = document.querySelector('.card input[data-param]'); "
                    "return s && s.closest('.card').dataset.name; }")
        assert card, "no activation with a parameter slider"
        plot = v.page.locator(f"#plot-{card}")
        before = plot.get_attribute("data-signature")
        slider = v.page.locator(f"#act-{card} input[data-param]").first
        slider.scroll_into_view_if_needed()
        v.js("""(name) => { const s = document.querySelector('#act-' + name + ' input[data-param]');
            const lo = Number(s.min), hi = Number(s.max);
            s.value = String(Number(s.value) === hi ? lo : hi);
            s.dispatchEvent(new Event('input', {bubbles: true})); }""", card)
        after = plot.get_attribute("data-signature")
        assert after != before
        assert plot.get_attribute("data-drawn") == "true"
        out = v.page.locator(f"#act-{card} output").first.text_content()
        assert out == slider.input_value()
        _shot(v, "catalog-slider.png", full=False)
        v.page.locator(f"#act-{card} button.params-reset").click()
        assert plot.get_attribute("data-signature") == before


def test_zoom_hover_and_reset(lab, browser):
    with Visit(browser, lab / "catalog.html") as v:
        name = v.js("() => document.querySelector('.card[data-name] .act-plot').dataset.act")
        plot = v.page.locator(f"#plot-{name}")
        canvas = plot.locator("canvas")
        canvas.scroll_into_view_if_needed()
        before = plot.get_attribute("data-signature")
        box = canvas.bounding_box()
        v.page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.5)
        assert plot.locator(".plot-tip").is_visible()
        assert "x = " in plot.locator(".plot-tip").text_content()
        v.page.mouse.wheel(0, -300)
        zoomed = plot.get_attribute("data-signature")
        assert zoomed != before
        v.page.mouse.move(box["x"] + 80, box["y"] + 30)  # drag a box: zoom into it
        v.page.mouse.down()
        v.page.mouse.move(box["x"] + 200, box["y"] + 150, steps=5)
        v.page.mouse.up()
        assert plot.get_attribute("data-signature") not in (before, zoomed)
        plot.locator(".plot-reset").click()
        assert plot.get_attribute("data-signature") == before


def test_sorting_and_filtering_change_the_table(lab, browser):
    with Visit(browser, lab / "catalog.html") as v:
        order = "() => Array.from(document.querySelectorAll('#prop-table tbody tr')).map(r => r.dataset.name)"
        visible = ("() => Array.from(document.querySelectorAll('#prop-table tbody tr')).filter(r => !r.hidden)"
                   ".map(r => r.dataset.name)")
        start = v.js(order)
        v.page.click("#prop-table button[data-sort=name]")
        ascending = v.js(order)
        assert ascending == sorted(start)
        v.page.click("#prop-table button[data-sort=name]")
        assert v.js(order) == sorted(start, reverse=True)
        # cards follow the table's order
        cards = v.js("() => Array.from(document.querySelectorAll('#cards .card')).map(c => c.dataset.name)")
        assert cards == sorted(start, reverse=True)

        everything = v.js(visible)
        v.page.select_option("select[data-flag=bounded]", "yes")
        bounded = v.js(visible)
        assert 0 < len(bounded) < len(everything)
        flags = v.js("() => Array.from(document.querySelectorAll('#prop-table tbody tr')).filter(r => !r.hidden)"
                     ".map(r => r.dataset.bounded)")
        assert set(flags) == {"yes"}
        hidden_cards = v.js("() => Array.from(document.querySelectorAll('#cards .card')).filter(c => c.hidden)"
                            ".map(c => c.dataset.name)")
        assert sorted(hidden_cards) == sorted(set(everything) - set(bounded))
        v.page.fill("#search", "relu")
        assert all("relu" in v.js("(n) => document.querySelector(`tr[data-name='${n}']`).dataset.search", n)
                   for n in v.js(visible))
        _shot(v, "catalog-filtered.png", full=False)
        v.page.click("#clear-filters")
        assert sorted(v.js(visible)) == sorted(everything)


def test_generated_javascript_matches_numpy(lab, browser):
    with Visit(browser, lab / "catalog.html") as v:
        mismatches = v.js("""() => {
            const C = window.ACTLAB_CATALOG, F = window.ACTLAB_FNS, bad = [];
            let checked = 0;
            for (const a of C.activations) {
                const fns = F[a.name];
                if (!fns) continue;
                const p = {}; a.params.forEach(q => p[q.name] = q.default);
                C.x.forEach((x, i) => {
                    if (a.kinks.some(k => Math.abs(x - k) < 0.07)) return;  // one-sided conventions at kinks
                    for (const [which, fn, ref] of [['f', fns.f, a.f], ['df', fns.df, a.df]]) {
                        const want = ref[i];
                        if (want === null) continue;
                        const got = fn(x, p);
                        checked++;
                        if (!(Math.abs(got - want) <= 1e-8 + 1e-8 * Math.abs(want)))
                            bad.push([a.name, which, x, got, want]);
                    }
                });
            }
            return {checked, bad: bad.slice(0, 20)};
        }""")
        assert mismatches["checked"] > 1000
        assert mismatches["bad"] == []


def test_compare_page_overlays_the_chosen_activations(lab, browser):
    with Visit(browser, lab / "compare.html") as v:
        chosen = v.page.locator("#compare-picker").get_attribute("data-chosen").split(",")
        assert 2 <= len(chosen) <= 4
        legend = v.page.locator("#cmp-f .plot-key").all_text_contents()
        assert legend == chosen
        before = v.page.locator("#cmp-df").get_attribute("data-signature")
        boxes = v.page.locator("#compare-picker input[name=cmp]")
        for i in range(boxes.count()):  # check more until the limit of four disables the rest
            if not boxes.nth(i).is_checked() and not boxes.nth(i).is_disabled():
                boxes.nth(i).check()
        now = v.page.locator("#compare-picker").get_attribute("data-chosen").split(",")
        assert len(now) == min(4, boxes.count())
        assert v.page.locator("#cmp-df").get_attribute("data-signature") != before
        if boxes.count() > 4:
            assert v.js("() => Array.from(document.querySelectorAll('#compare-picker input:not(:checked)'))"
                        ".every(b => b.disabled)")
        _shot(v, "compare-four.png", full=False)


def test_search_page_renders_the_ranking_and_the_curves(lab, browser):
    with Visit(browser, lab / "search.html") as v:
        assert v.errors == []
        rows = v.js("() => Array.from(document.querySelectorAll('#search-final tbody tr')).map(r => "
                    "[r.dataset.name, r.dataset.swishLike, r.querySelector('.badge.yes') !== null])")
        assert len(rows) >= 3 and {"relu", "silu"} <= {name for name, _, _ in rows}
        assert all((like == "yes") == badge for _, like, badge in rows)  # the mark is visible where it is claimed
        assert any(like == "yes" for _, like, _ in rows)
        plot = v.page.locator("#search-curves")
        assert plot.get_attribute("data-drawn") == "true"
        assert len(v.page.locator("#search-curves .plot-key").all_text_contents()) == len(rows)
        _shot(v, "search.png", full=True)


def _check_links(v: Visit, path: Path) -> None:
    """Every link stays in the lab and points at an existing file (and anchor)."""
    links = v.js("() => Array.from(document.querySelectorAll('a[href]')).map(a => a.href)")
    ids = set(v.js("() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"))
    for href in links:
        url = urlparse(href)
        assert url.scheme == "file", f"{path.name}: link leaves the lab: {href}"
        target = Path(unquote(url.path))
        assert target.is_file(), f"{path.name}: broken link {href}"
        if url.fragment and target == path:
            assert url.fragment in ids, f"{path.name}: missing anchor #{url.fragment}"
        elif url.fragment:
            assert f'id="{url.fragment}"' in target.read_text(encoding="utf-8"), f"{path.name}: {href}"
