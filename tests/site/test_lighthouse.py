"""Lighthouse's deterministic categories at 100 on every page: accessibility, best practices, SEO.

One Lighthouse run per page (mobile, light; the post in dark too), without the performance
category: performance depends on the machine and lives in `make bench` (benchmarks/lighthouse.py).
Contrast in both schemes is also checked on every page by axe-core and pagecheck's own contrast
walk in test_browser.py.
"""

from __future__ import annotations

import lhrun
import pytest
from test_static import page_sources, post_permalinks

pytestmark = pytest.mark.timeout(lhrun.SECONDS + 60)

CATEGORIES = ("accessibility", "best-practices", "seo")
CASES = [(path, "light") for _, path in page_sources()] + [(p, "dark") for p in post_permalinks()]


@pytest.mark.parametrize("path, scheme", CASES)
def test_lighthouse_scores_100(site, path, scheme):
    why = lhrun.available()
    if why:
        pytest.fail(why)
    run = lhrun.run(site.url(path), "mobile", scheme, CATEGORIES)
    below = {name: run.failing[name] for name, score in run.scores.items() if score < 100}
    assert not below, f"{path} ({scheme}): " + "; ".join(
        f"{name} {run.scores[name]}: {', '.join(audits) or '?'}" for name, audits in below.items())
