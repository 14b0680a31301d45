"""Issue 17, the author's edit loop, end to end: `nn-blog serve` on a small site (the render
fixture's declarations, rendered, with a post), driven by saving files, every wait bounded.

One build order (render first, then one Jekyll build), errors in the page (a banner brought by
LiveReload, seen in Chromium), nothing a post uses swept, a placeholder for a declared figure not
drawn yet."""

from __future__ import annotations

import json
import time

import pytest
import serve_site
from test_render_fixture import FIGURES, rendered

NEW_FIGURE = """\
new-loss:
  kind: loss_curve
  network: xor
  alt: A second loss curve of the XOR network.
"""
BANNER = "nn-blog-serve-error"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    root = serve_site.make_site(rendered(tmp_path_factory, tmp_path_factory.mktemp("loop") / "s"))
    server = serve_site.Served(root)
    yield server
    server.stop()


@pytest.fixture
def site(served):
    """The served site as the fixture made it, again after each test (one more build)."""
    yield served
    root = served.root
    figures = root / "_data/figures.yml"
    post = root / serve_site.POST
    if figures.read_text() != FIGURES or "{% nn_figure xor-loss %}\n" not in post.read_text() \
            or post.read_text().count("nn_figure") != 1:
        start = served.builds()
        figures.write_text(FIGURES)
        serve_site.write_post(root, "{% nn_figure xor-loss %}")
        settle(served, start + 1)


def settle(served, count, timeout=300):
    """Wait for build number ``count`` to be answered, then 2 s more in which nothing builds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if served.builds() >= count and served.build().get("n") == served.builds():
            break
        if served.proc.poll() is not None:  # no build can come: say so now, not in 300 s
            raise AssertionError(f"nn-blog serve exited (code {served.proc.returncode}) "
                                 f"waiting for build {count}:\n{served.output()[-4000:]}")
        time.sleep(0.05)
    else:
        raise AssertionError(f"build {count} did not come:\n{served.output()[-4000:]}")
    time.sleep(2)
    return served.build()


def test_a_post_and_a_new_figure_saved_together_build_once_after_the_render(site):
    start, first = site.builds(), len(site.lines)
    (site.root / "_data/figures.yml").write_text(FIGURES + NEW_FIGURE)
    serve_site.write_post(site.root, "{% nn_figure xor-loss %}\n\n{% nn_figure new-loss %}")
    answer = settle(site, start + 1)
    assert answer["ok"], answer
    assert site.builds() == start + 1, site.output()[-3000:]  # one build for the two saves
    since = "\n".join(site.lines[first:])
    assert "unknown figure" not in since and "Error" not in since, since
    assert "drew 1 figures" in since
    manifest = json.loads((site.root / "_data/generated/figures.json").read_text())
    assert manifest["new-loss"]["light"]["svg"] in site.page()
    assert "nn-figure-pending" not in site.page()


def test_two_saves_within_100_ms_build_once(site):
    start = site.builds()
    serve_site.write_post(site.root, "{% nn_figure xor-loss %}\n\nFirst save.")
    time.sleep(0.05)
    serve_site.write_post(site.root, "{% nn_figure xor-loss %}\n\nSecond save.")
    settle(site, start + 1)
    assert site.builds() == start + 1, site.output()[-3000:]
    assert "Second save." in site.page()


def test_deleting_a_used_figure_is_refused_and_its_files_kept(site):
    manifest = json.loads((site.root / "_data/generated/figures.json").read_text())
    files = [site.root / url.lstrip("/") for url in manifest["xor-loss"]["light"].values()]
    assert all(path.exists() for path in files)
    start, first = site.builds(), len(site.lines)
    head, tail = FIGURES.split("xor-boundary:")
    (site.root / "_data/figures.yml").write_text("xor-boundary:" + tail)  # xor-loss removed
    settle(site, start + 1)
    since = "\n".join(site.lines[first:])
    assert ("nn-blog: error: _posts/2021-01-01-loop.md:8: uses {% nn_figure xor-loss %}"
            in since), since
    assert "rule: a render never sweeps what a post uses" in since
    assert all(path.exists() for path in files)
    assert "xor-loss" in json.loads((site.root / "_data/generated/figures.json").read_text())
    page = site.page()
    assert BANNER in page and "_posts/2021-01-01-loop.md:8" in page


def test_a_declared_figure_not_drawn_yet_is_a_placeholder_not_an_error(site):
    start, first = site.builds(), len(site.lines)
    bad = NEW_FIGURE + "  params: {log_scale: maybe}\n"  # the render refuses it: never drawn
    (site.root / "_data/figures.yml").write_text(FIGURES + bad)
    serve_site.write_post(site.root, "{% nn_figure xor-loss %}\n\n{% nn_figure new-loss %}")
    answer = settle(site, start + 1)
    assert answer["ok"], answer  # the build itself succeeds
    since = "\n".join(site.lines[first:])
    assert "unknown figure" not in since
    page = site.page()
    assert "nn-figure-pending" in page and "figure 'new-loss' is declared" in page
    assert BANNER in page and "log_scale" in page  # the render's error, in the page


def test_a_broken_yaml_shows_a_banner_that_goes_once_fixed(site):
    import chrome
    from playwright.sync_api import sync_playwright

    found = chrome.find()
    if not found.path:
        pytest.skip(found.line())
    figures = site.root / "_data/figures.yml"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=found.path, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"], timeout=60_000)
        try:
            page = browser.new_page()
            page.goto(site.url + "loop/", timeout=60_000)
            page.wait_for_load_state("load", timeout=30_000)
            assert page.locator(f"#{BANNER}").count() == 0
            time.sleep(1)  # LiveReload's socket is open
            start = site.builds()
            figures.write_text(FIGURES + "broken: [\n")
            banner = page.locator(f"#{BANNER}")
            banner.wait_for(state="visible", timeout=120_000)  # no reload by hand: LiveReload
            text = banner.inner_text()
            assert "_data/figures.yml:" in text and "malformed YAML" in text, text
            # at the top of the page: the body's first element, above everything else
            assert page.evaluate("document.body.firstElementChild.id") == BANNER
            assert banner.bounding_box()["y"] < 20
            assert settle(site, start + 1)["ok"] is False
            figures.write_text(FIGURES)
            page.locator(f"#{BANNER}").wait_for(state="detached", timeout=120_000)
            assert page.locator("img, picture").count() >= 1
        finally:
            browser.close()
