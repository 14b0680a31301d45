"""The step-through graph in the built post (live=graph-step): driven by keyboard alone, every
control labelled, the numbers announced (aria-live), recomputed when a weight changes, and no
sideways scrolling at 390 px. Its arithmetic is tested against the Python engine in
tests/test_graph_step.py; here, what it shows is the figure's data, rounded as printed."""

from __future__ import annotations

import json

import pytest
from pagecheck import bounded, watch
from test_live import post, post_path, ready  # noqa: F401  (post is a fixture)

NAME = "computation-graph"


def _fmt(v: float) -> str:
    text = f"{v:.3f}"
    if float(text) == 0:
        text = f"{0:.3f}"
    return text.replace("-", "\u2212")


def _line(fig, label: str) -> str:
    row = fig.locator(".nn-gs-line", has_text=label).first
    return row.locator("output").inner_text()


def test_the_graph_steps_by_keyboard_and_announces_each_number(post):  # noqa: F811
    page, _ = post
    fig = ready(page, NAME)
    data = json.loads(fig.get_attribute("data-nn-layout"))
    status = fig.locator("[aria-live=polite]")
    assert status.count() == 1
    for control in fig.locator(".nn-live input, .nn-live select").all():
        assert control.get_attribute("aria-label"), control.evaluate("e => e.outerHTML")
    hidden = fig.locator("[data-node=h0]")
    assert _line(hidden, "a = σ(z)") == "·"              # nothing reached yet
    step = fig.get_by_role("button", name="Step")
    step.focus()
    page.keyboard.press("Enter")                          # the first node: hidden neuron 1
    assert _line(hidden, "a = σ(z)") == _fmt(data["hidden"]["a"][0])
    assert _fmt(data["hidden"]["a"][0]) in status.inner_text()
    assert _line(hidden, "dz = da") == "·"               # its gradient comes on the way back
    page.keyboard.press("Tab")                            # Forward
    page.keyboard.press("Tab")                            # Backward
    page.keyboard.press("Space")
    assert _line(hidden, "dz = da") == _fmt(data["hidden"]["dz"][0])
    assert _line(fig.locator("[data-node=o]"), "dz = ŷ − y") == _fmt(data["output"]["dz"][0])
    fig.get_by_role("button", name="Update").press("Enter")
    loss = fig.locator("[data-node=loss]")
    assert _line(loss, "ℓ after one step") == _fmt(data["loss_after"])
    assert _fmt(data["loss_after"]) in status.inner_text()
    # a weight changed: every number recomputed, and said so
    weight = fig.get_by_label("w₁, weight from hidden neuron 1 to the output")
    weight.fill("2")
    weight.press("Enter")
    weight.press("Tab")
    assert "recomputed" in status.inner_text()
    assert _line(loss, "ℓ after one step") != _fmt(data["loss_after"])
    assert _line(fig.locator("[data-node=o]"), "↳ ∂z/∂a₁ = w₁") == _fmt(2.0)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_graph_fits_a_phone(browser, site, scheme):
    context = browser.new_context(bypass_csp=True, viewport={"width": 390, "height": 800},
                                  color_scheme=scheme)
    bounded(context)
    watch(context, site.origin, {})
    page = context.new_page()
    try:
        page.goto(site.url(post_path(site)), wait_until="load")
        fig = ready(page, NAME)
        fig.get_by_role("button", name="Update").click()
        box = fig.locator(".nn-live")
        assert box.evaluate("e => e.scrollWidth <= e.clientWidth"), "the graph scrolls sideways"
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        # the gradient colour differs from the text colour in both schemes
        colours = fig.locator(".nn-gs-bwd output").first.evaluate(
            "e => [getComputedStyle(e).color, getComputedStyle(e.closest('.nn-gs-node')).color]")
        assert colours[0] != colours[1]
    finally:
        context.close()
