"""The playground in a real browser: Debian's chromium driven by Playwright, the built page opened from file://.

Checks the issue's contract: every elementwise activation is offered and its generated f and f' agree with the
NumPy reference; XOR is learnt by a tanh net; a ReLU net at learning rate 3 dies; an all-identity net cannot fit
XOR; the URL carries the settings; the same seed gives the same run; speed and frame rate (printed, and recorded in
docs/lab.md); screenshots at desktop and phone width. Plus the stable JavaScript printer at large |x|.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import numpy as np
import pytest

import actlab
from actlab.report.lab import jsexport, playground_data

pytestmark = pytest.mark.browser

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
XS = np.linspace(-6, 6, 200)


USER_FORMULA = ("pg_user_act", "x*tanh(log(1 + exp(a*x)))", {"a": 1.5})


@pytest.fixture(scope="module")
def user_formula():
    """A formula defined as with `actlab define`, present while the page is built and checked."""
    import warnings

    from actlab.formula import define, undefine

    name, text, params = USER_FORMULA
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the stable-rewrite notice (log(1+exp) -> softplus) is expected
        define(name, text, **params)
    yield name
    undefine(name)


@pytest.fixture(scope="module")
def site(tmp_path_factory, user_formula) -> Path:
    """The playground page as the lab build writes it (page, generated data file, assets)."""
    import importlib

    build = importlib.import_module("actlab.report.lab.build")
    from actlab.report.lab.pages import playground

    out = tmp_path_factory.mktemp("playground")
    for name in build.ASSET_FILES:
        (out / "assets").mkdir(exist_ok=True)
        shutil.copyfile(build.ASSETS / name, out / "assets" / name)
    for rel, text in playground.render(None).items():
        build._write(out / rel, text)
    assert playground in build.PAGES  # the lab build writes this page too
    return out


class Visit:
    def __init__(self, browser, path: Path, width: int = 1280, height: int = 800, hash_: str = ""):
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri() + hash_)
        self.page.wait_for_selector("html[data-playground-ready=true]", timeout=15000)

    def js(self, script: str, arg=None):
        return self.page.evaluate(script, arg)

    def close(self):
        assert self.errors == [], f"console errors: {self.errors}"
        outside = [u for u in self.requests if not u.startswith("file://")]
        assert outside == [], f"requests leaving file://: {outside}"
        self.page.close()


@pytest.fixture
def visit(browser, site):
    v = Visit(browser, site / "playground.html")
    yield v
    v.close()


def test_activations_list_every_elementwise_activation_and_the_user_formula(visit, user_formula):
    listed = visit.js("() => window.actlabPlayground.activations")
    catalog = [n for n in actlab.names(kind="elementwise") if actlab.spec(n).source == "catalog"]
    assert set(catalog) <= set(listed) and user_formula in listed
    group = visit.js("""(n) => document.querySelector(`#pg-activation option[value="${n}"]`).parentNode.label""",
                     user_formula)
    assert group.startswith("your formulas")


def test_kernels_agree_with_numpy_for_every_activation(visit, user_formula):
    names = actlab.names(kind="elementwise")
    assert user_formula in names
    got = visit.js("""([names, xs]) => { const P = window.actlabPlayground; const out = {};
        for (const n of names) out[n] = [P.f(n, xs), P.df(n, xs)]; return out; }""", [names, XS.tolist()])
    for name in names:
        a = actlab.get(name)
        for what, js, ref in (("f", got[name][0], a(XS)), ("df", got[name][1], a.derivative(XS))):
            js = np.array([np.nan if v is None else v for v in js], dtype=float)
            np.testing.assert_allclose(js, ref, rtol=1e-6, atol=1e-9, err_msg=f"{name} {what}")


def test_kernels_follow_the_parameters(visit):
    got = visit.js("() => [window.actlabPlayground.f('leaky_relu', -2, {alpha: 0.3}), "
                   "window.actlabPlayground.df('elu', -1, {alpha: 2})]")
    np.testing.assert_allclose(got, [actlab.get("leaky_relu", alpha=0.3)(-2.0),
                                     actlab.get("elu", alpha=2.0).derivative(-1.0)], rtol=1e-12)


def test_kernels_stay_finite_at_large_inputs(visit):
    xs = [-1000.0, -710.0, -50.0, 50.0, 710.0, 1000.0]
    names = [n for n in actlab.names(kind="elementwise") if n not in ("exponential",)]  # exp(1000) = inf is right
    got = visit.js("""([names, xs]) => names.map(n => [window.actlabPlayground.f(n, xs),
                      window.actlabPlayground.df(n, xs)])""", [names, xs])
    for name, (f, df) in zip(names, got):
        a = actlab.get(name)
        with np.errstate(all="ignore"):
            ref_f, ref_df = a(np.array(xs)), a.derivative(np.array(xs))
        for what, js, ref in (("f", f, ref_f), ("df", df, ref_df)):
            js = np.array([np.nan if v is None else v for v in js], dtype=float)
            np.testing.assert_allclose(js, ref, rtol=1e-9, atol=1e-12, err_msg=f"{name} {what} at {xs}")


def test_tanh_net_learns_xor(visit):
    r = visit.js("""() => { const P = window.actlabPlayground;
        P.config({activation: 'tanh', dataset: 'xor', layers: [8, 8], batch: 10, seed: 1});
        P.reset(); P.step(2000); return P.state(); }""")
    assert r["steps"] == 2000
    assert r["testLoss"] < 0.1, r


def test_relu_at_learning_rate_3_dies(visit):
    r = visit.js("""() => { const P = window.actlabPlayground;
        P.config({activation: 'relu', dataset: 'circle', layers: [8, 8], lr: 3, seed: 2});
        P.step(300); return P.state(); }""")
    assert r["layers"][0]["dead"] > 0.5, r


def test_dying_scenario_and_its_cure(visit):
    visit.page.get_by_role("button", name="Dying ReLU at a high learning rate").click()
    visit.page.get_by_role("button", name="Pause").click()  # the scenario starts playing; pause to measure
    visit.js("() => window.actlabPlayground.step(300)")
    assert visit.js("() => window.actlabPlayground.state().layers[0].dead") > 0.5
    assert "lr=3" in visit.page.url
    visit.page.get_by_role("button", name="Cure: learning rate 0.03").click()
    visit.page.get_by_role("button", name="Pause").click()
    visit.js("() => { window.actlabPlayground.reset(); window.actlabPlayground.step(300); }")
    assert visit.js("() => window.actlabPlayground.state().layers[0].dead") < 0.5
    assert "lr=0.03" in visit.page.url


def test_sigmoid_stack_scenario_shows_vanishing_gradients_and_relu_cures_it(visit):
    page = visit.page
    page.get_by_role("button", name="Sigmoid stack: vanishing gradients").click()
    page.get_by_role("button", name="Pause").click()
    visit.js("() => { window.actlabPlayground.reset(); window.actlabPlayground.step(500); }")
    grads = [layer["gradNorm"] for layer in visit.js("() => window.actlabPlayground.state().layers")]
    assert len(grads) == 6 and grads[0] < grads[-1] / 100, grads  # the first layer gets almost nothing
    page.wait_for_selector("#pg-warnings li")
    assert "vanishing gradients" in page.inner_text("#pg-warnings")
    page.get_by_role("button", name="Cure: ReLU with He initialisation").click()
    page.get_by_role("button", name="Pause").click()
    visit.js("() => { window.actlabPlayground.reset(); window.actlabPlayground.step(500); }")
    cured = [layer["gradNorm"] for layer in visit.js("() => window.actlabPlayground.state().layers")]
    assert cured[0] > cured[-1] / 10, cured


def test_identity_network_cannot_fit_xor(visit):
    r = visit.js("""() => { const P = window.actlabPlayground;
        P.config({activation: 'identity', dataset: 'xor', layers: [8, 8, 8], seed: 3});
        P.step(2000); return P.state(); }""")
    assert r["testLoss"] > 0.2, r
    assert all(layer["dead"] == 0 and layer["saturated"] == 0 for layer in r["layers"])


def test_sigmoid_layers_are_not_zero_centred_and_tanh_layers_are(visit):
    means = visit.js("""() => { const P = window.actlabPlayground, out = {};
        for (const a of ['sigmoid', 'tanh']) { P.config({activation: a, dataset: 'circle', layers: [8], seed: 4});
          P.step(200); out[a] = P.state().layers[0].mean; } return out; }""")
    assert means["sigmoid"] > 0.3 and abs(means["tanh"]) < 0.3, means


def test_same_seed_same_run_and_the_url_carries_the_settings(browser, site):
    script = """() => { const P = window.actlabPlayground;
        P.config({activation: 'elu', params: {alpha: 0.5}, dataset: 'spiral', layers: [6, 3], lr: 0.3, seed: 9,
                  init: 'he', reg: 'L2', regRate: 0.001, noise: 10, batch: 5});
        P.step(50); return P.state(); }"""
    a = Visit(browser, site / "playground.html")
    first = a.js(script)
    url = a.page.url
    a.close()
    for part in ("activation=elu", "params=alpha:0.5", "dataset=spiral", "layers=6,3", "seed=9", "init=he",
                 "reg=L2", "noise=10", "batch=5"):
        assert part in url, (part, url)
    b = Visit(browser, site / "playground.html", hash_="#" + url.split("#", 1)[1])
    assert b.js("() => document.getElementById('pg-activation').value") == "elu"
    second = b.js("() => { window.actlabPlayground.step(50); return window.actlabPlayground.state(); }")
    b.close()
    assert first == second


def test_config_rejects_bad_values_with_the_allowed_ones(visit):
    msg = visit.js("() => { try { window.actlabPlayground.config({activation: 'relo'}); } catch (e) { return e.message; } }")
    assert "relo" in msg and "relu" in msg
    msg = visit.js("() => { try { window.actlabPlayground.config({layers: [0]}); } catch (e) { return e.message; } }")
    assert "1-16" in msg


def test_controls_are_keyboard_operable(visit):
    page = visit.page
    page.focus("#pg-activation")
    page.keyboard.press("ArrowDown")  # the next activation in the list
    assert page.eval_on_selector("#pg-activation", "e => e.value") != "tanh"
    page.focus("#pg-step")
    page.keyboard.press("Enter")
    assert visit.js("() => window.actlabPlayground.state().steps") == 1
    page.focus("#pg-layer-add")
    page.keyboard.press("Enter")
    assert visit.js("() => document.querySelectorAll('#pg-widths input').length") == 3
    visit.js("() => window.actlabPlayground.config({activation: 'elu'})")
    page.focus("#pg-params input[name=alpha]")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")  # the slider keeps the focus after the first change rebuilt the network
    assert visit.js("() => document.activeElement.name") == "alpha"
    assert "params=alpha:" in page.url and "alpha:1&" not in page.url + "&"


def test_speed_and_frame_rate(visit):
    """1000 steps of a 2x8 net with batch 10, and the redraw rate while playing (printed for docs/lab.md).

    The frame rate is checked on the page's own work per frame (10 training steps and a full redraw: every neuron
    map, the output surface, the loss curve, the diagnostics over the training set), median over the frames drawn:
    the animation frames the browser delivers also count and are printed, but on a machine shared by other jobs the
    browser may deliver fewer of them than the page could draw.
    """
    ms = visit.js("""() => { const P = window.actlabPlayground;
        P.config({activation: 'tanh', dataset: 'xor', layers: [8, 8], batch: 10, seed: 1});
        const t = performance.now(); P.step(1000); return performance.now() - t; }""")
    page = visit.page
    page.click("#pg-play")
    page.wait_for_timeout(300)
    f0, t0 = int(page.get_attribute("#pg-surface", "data-frames")), time.perf_counter()
    page.wait_for_timeout(2000)
    f1, t1 = int(page.get_attribute("#pg-surface", "data-frames")), time.perf_counter()
    page.click("#pg-play")
    frame_ms = float(page.get_attribute("#pg-surface", "data-frame-ms"))
    delivered = (f1 - f0) / (t1 - t0)
    print(f"\nplayground speed: 1000 steps in {ms:.0f} ms; {frame_ms:.1f} ms of work per frame "
          f"({1000 / frame_ms:.0f} frames/s possible), {delivered:.1f} frames/s delivered while training")
    assert ms <= 2000, ms
    assert f1 - f0 >= 10, "the page stopped drawing while playing"
    assert 1000 / frame_ms >= 30, frame_ms


@pytest.mark.parametrize("width,height", [(1280, 800), (390, 844)])
def test_screenshots_and_layout(browser, site, width, height):
    v = Visit(browser, site / "playground.html", width, height)
    v.js("""() => { const P = window.actlabPlayground;
        P.config({activation: 'tanh', dataset: 'spiral', layers: [8, 8, 4], lr: 0.1,
                  features: ['x', 'y', 'x2', 'y2', 'sinx', 'siny'], seed: 3}); P.step(4000); }""")
    overflow = v.js("() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the page scrolls sideways by {overflow}px at width {width}"
    boxes = v.js("""() => ['.pg-controls', '.pg-net', '.pg-out'].map(s => {
        const r = document.querySelector(s).getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })""")
    for i in range(3):
        for j in range(i + 1, 3):
            a, b = boxes[i], boxes[j]
            assert a[2] <= b[0] or b[2] <= a[0] or a[3] <= b[1] or b[3] <= a[1], f"panels overlap: {a} {b}"
    ARTIFACTS.mkdir(exist_ok=True)
    v.page.screenshot(path=str(ARTIFACTS / f"playground_{width}x{height}.png"), full_page=False)
    v.page.screenshot(path=str(ARTIFACTS / f"playground_{width}x{height}_full.png"), full_page=True)
    v.close()


def test_kernel_pair_prints_stable_primitives():
    import sympy as sp

    x = sp.Symbol("x", real=True)
    f, df = jsexport.kernel_pair(sp.log(1 + sp.exp(x)))
    assert "A.softplus(x)" in f and "A.sigmoid(x)" in df and "Math.exp" not in f + df


def test_user_formulas_are_exported_with_their_parameters(user_formula):
    found, skipped = playground_data.kernels()
    mine = [k for k in found if k.name == user_formula]
    assert mine and mine[0].source == "user" and not skipped
    assert [s.name for s in mine[0].sliders] == ["a"]
    assert "A.softplus" in mine[0].js_f  # the stable rewrite reached the JavaScript


def test_a_user_formula_trains(visit, user_formula):
    r = visit.js("""(n) => { const P = window.actlabPlayground;
        P.config({activation: n, params: {a: 1}, dataset: 'circle', layers: [8], seed: 5});
        const before = P.state().loss; P.step(1000); return [before, P.state().testLoss]; }""", user_formula)
    assert r[1] < 0.5 * r[0], r
