"""The playground at the end of the main post, in Chromium (bounded waits throughout): it
trains each data set to the losses the Python engine reaches, epoch for epoch, over the first
AGREE epochs (the same network, batch for batch: tests/test_playground.py; later the runs can
drift, as the page says) and to a good accuracy, its configuration survives a link, no
frame of its work becomes a long task (50 ms; the 16 ms frame target is a benchmark's, not a
test's: docs/benchmarks.md), it stops while the page is hidden, every control is labelled and big
enough, it fits 390 px, and it is photographed at 390 and 1280 px, light and dark.
"""

from __future__ import annotations

import statistics
from urllib.parse import quote, unquote

import pytest
from pagecheck import bounded, watch

from nn_blog import experiments
from nn_blog.declarations import check_network, parse_yaml

WAIT_MS = 30_000
POST = "nn-from-scratch"
SEL = "figure[data-nn-live=playground]"
LONG_TASK_MS = 50.0  # what the browser calls a long task: the bar every live figure is held to
# (URL state, the least test accuracy it must reach after MIN_EPOCHS)
LEARNS = [("data:xor;noise:0.25;layers:4;act:tanh;opt:adam;lr:0.03;batch:10;seed:1", 0.95),
          ("data:moons;noise:0.2;layers:4,4;act:tanh;opt:adam;lr:0.03;batch:10;seed:1", 0.9),
          ("data:circles;noise:0.1;layers:6;act:tanh;opt:adam;lr:0.03;batch:10;seed:1", 0.9),
          ("data:spiral;noise:0.2;layers:8,8;act:relu;opt:adam;lr:0.03;batch:10;seed:1", 0.9)]
MIN_EPOCHS = 60
AGREE = 50  # epochs over which the page's losses equal NumPy's within 1e-9
HEAVY = "data:spiral;noise:0.2;layers:8,8,8;act:tanh;opt:adam;lr:0.01;batch:1;seed:1"


def post_url(site, state=None):
    (path,) = [p for p in site.pages if POST in p]
    url = site.url(path)
    return url if state is None else f"{url}?pg={quote(state, safe=':;,/')}"


def open_page(browser, site, state=None, width=1280, scheme="light"):
    # test code runs in the page: no CSP (pagecheck.CSP_NOTE)
    context = browser.new_context(bypass_csp=True, viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    bounded(context)
    log = {"requests": [], "problems": []}
    watch(context, site.origin, log)
    page = context.new_page()
    page.on("pageerror", lambda e: log["problems"].append(str(e)))
    page.on("console", lambda m: m.type == "error" and log["problems"].append(m.text))
    page.goto(post_url(site, state), wait_until="load")
    fig = page.locator(SEL)
    fig.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
    try:
        fig.locator("xpath=self::*[@data-nn-live-state='ready']").wait_for(timeout=WAIT_MS)
    except Exception:
        pytest.fail(f"the playground was not ready within {WAIT_MS} ms "
                    f"({fig.get_attribute('data-nn-live-state')!r}, {log['problems']})")
    return context, page, fig, log


def epoch(fig):
    return int(fig.get_attribute("data-nn-epoch"))


def run_until(page, fig, epochs):
    fig.get_by_role("button", name="Start").click()
    try:
        page.wait_for_function(f"Number(document.querySelector('{SEL}').dataset.nnEpoch) "
                               f">= {epochs}", timeout=WAIT_MS)
    except Exception:
        pytest.fail(f"the playground did not reach epoch {epochs} in {WAIT_MS} ms "
                    f"(at {epoch(fig)})")
    fig.get_by_role("button", name="Pause").click()


def python_run(yaml_text, epochs):
    spec = check_network("playground", parse_yaml(yaml_text, "p.yml")["playground"])
    return experiments.train(spec, epochs=epochs)


@pytest.mark.parametrize("state,least", LEARNS, ids=[s.split(";")[0] for s, _ in LEARNS])
def test_each_data_set_trains_to_what_python_reaches(browser, site, state, least):
    context, page, fig, log = open_page(browser, site, state)
    try:
        run_until(page, fig, MIN_EPOCHS)
        at = epoch(fig)
        got = fig.evaluate("el => [el.nnPlayground.evaluate().accuracy, el.nnPlayground.run.epoch]")
        assert got[1] == at
        fig.locator("summary", has_text="Take it to Python").click()
        yaml_text = fig.locator(".nn-pg-python pre code").first.text_content()
        assert f"epochs: {at}" in yaml_text
        losses = fig.evaluate("el => el.nnPlayground.run.losses")
        ours = python_run(yaml_text, at)
        # the same network batch for batch: equal losses until training has magnified
        # the last bits JavaScript's Math and NumPy round differently (the spiral's ReLU
        # network agrees to 1e-13 at epoch 60, 1e-6 at 80: the page's note says so)
        assert losses[:AGREE] == pytest.approx(ours.history["loss"][:AGREE], abs=1e-9)
        assert got[0] >= least, f"{state}: test accuracy {got[0]} after {at} epochs"
        assert ours.results["test_accuracy"] >= least, f"{state}: NumPy's run after {at}"
        assert log["problems"] == [] and log.get("foreign", []) == []
    finally:
        context.close()


def test_the_configuration_lives_in_the_url(browser, site):
    context, page, fig, _ = open_page(browser, site)
    try:
        assert "pg=" not in page.url  # an untouched page keeps its address
        fig.get_by_label("Data set").select_option("spiral")
        fig.get_by_label("Hidden layers").select_option("3")
        fig.get_by_label("Units in layer 3").select_option("7")
        fig.get_by_label("Activation").select_option("relu")
        fig.get_by_label("Optimizer").select_option("momentum")
        fig.get_by_label("Learning rate").select_option("0.1")
        fig.get_by_label("Batch size").select_option("0")
        fig.get_by_label("Noise").select_option("0.3")
        fig.get_by_label("Points you add").select_option("2")
        plane = fig.locator("canvas[role=application]")
        plane.click(position={"x": 40, "y": 50})
        plane.focus()
        for key in ("ArrowLeft", "ArrowUp", "Enter"):
            page.keyboard.press(key)
        fig.get_by_role("button", name="Step").click()
        config = fig.evaluate("el => el.nnPlayground.config")
        losses = fig.evaluate("el => el.nnPlayground.run.losses")
        assert len(config["points"]) == 2 and {p[2] for p in config["points"]} == {2}
        url = page.url
        state = unquote(url.split("pg=", 1)[1].split("#")[0])
        assert state.startswith("data:spiral;noise:0.3;layers:4,4,7;act:relu;opt:momentum;"
                                "lr:0.1;batch:0;seed:1;pts:")
        again = context.new_page()
        again.goto(url, wait_until="load")
        fig2 = again.locator(SEL)
        fig2.evaluate("el => el.scrollIntoView({block: 'start', behavior: 'instant'})")
        fig2.locator("xpath=self::*[@data-nn-live-state='ready']").wait_for(timeout=WAIT_MS)
        assert fig2.evaluate("el => el.nnPlayground.config") == config
        assert fig2.get_by_label("Units in layer 3").input_value() == "7"
        assert fig2.get_by_label("Activation").input_value() == "relu"
        fig2.get_by_role("button", name="Step").click()
        assert fig2.evaluate("el => el.nnPlayground.run.losses") == losses
    finally:
        context.close()


def test_no_frame_is_a_long_task_and_training_stops_while_hidden(browser, site):
    context, page, fig, _ = open_page(browser, site, HEAVY)
    try:
        fig.get_by_role("button", name="Start").click()
        page.wait_for_timeout(3000)
        frames = fig.evaluate("el => el.nnPlayground.frames.slice()")
        assert len(frames) > 30, f"only {len(frames)} frames in 3 s"
        frames.sort()
        p95 = frames[int(0.95 * len(frames))]
        print(f"\nplayground frames ({HEAVY}): n={len(frames)} median "
              f"{statistics.median(frames):.1f} ms, p95 {p95:.1f} ms, max {frames[-1]:.1f} ms")
        assert frames[-1] < LONG_TASK_MS, frames[-20:]
        page.evaluate("() => { Object.defineProperty(document, 'hidden', {value: true, "
                      "configurable: true}); document.dispatchEvent(new Event('visibilitychange'))"
                      " }")
        page.wait_for_timeout(200)
        hidden_at = epoch(fig)
        page.wait_for_timeout(1000)
        assert epoch(fig) == hidden_at, "trained on while the page was hidden"
        page.evaluate("() => { Object.defineProperty(document, 'hidden', {value: false, "
                      "configurable: true}); document.dispatchEvent(new Event('visibilitychange'))"
                      " }")
        page.wait_for_function(f"Number(document.querySelector('{SEL}').dataset.nnEpoch) > "
                               f"{hidden_at}", timeout=WAIT_MS)
    finally:
        context.close()


@pytest.mark.parametrize("width", [390, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_labelled_big_enough_fits_and_photographed(browser, site, artifacts, width, scheme):
    context, page, fig, log = open_page(browser, site, LEARNS[3][0], width, scheme)
    try:
        run_until(page, fig, 30)
        controls = fig.locator(".nn-live select, .nn-live button, .nn-live summary")
        for i in range(controls.count()):
            c = controls.nth(i)
            if not c.is_visible():
                continue
            name = c.evaluate("el => el.labels && el.labels.length ? el.labels[0].textContent "
                              ": el.textContent")
            assert name.strip(), c.evaluate("el => el.outerHTML")
            box = c.bounding_box()
            assert box["height"] >= 24 and box["width"] >= 24, (name, box)
        overflow = page.evaluate("() => document.documentElement.scrollWidth - innerWidth")
        assert overflow <= 0, f"the page scrolls sideways by {overflow} px at {width}"
        fig.locator("summary", has_text="Take it to Python").click()
        fig.screenshot(path=str(artifacts / f"playground-{width}-{scheme}.png"))
        assert log["problems"] == []
    finally:
        context.close()
