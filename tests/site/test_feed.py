"""The feed reads like the page (issue 21): it parses without errors, carries the math as MathML
(no raw TeX), and each entry's summary is its page's og:description and <meta name=description>:
plain text of at most 160 characters, the post's first paragraph where its excerpt reads as tags.
"""

from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

import feedparser
import pytest

SUMMARY_LENGTH = 160
META = re.compile(r'<meta (?:name|property)="(description|og:description)" content="([^"]*)"')


@pytest.fixture(scope="module")
def feed(site):
    return site.dest / "feed.xml"


def _metas(site, link: str) -> dict[str, str]:
    page = site.file_for(urlsplit(link).path[len(site.baseurl):]).read_text(encoding="utf-8")
    return {name: html.unescape(value) for name, value in META.findall(page)}


def test_the_feed_parses_with_math_as_mathml(feed):
    text = feed.read_text(encoding="utf-8")
    parsed = feedparser.parse(text)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.entries, "the feed has no entry"
    for tex in ("\\(", "\\)", "\\[", "\\]", "$$"):
        assert tex not in text, f"raw TeX {tex} in feed.xml"
    contents = " ".join(e.content[0].value for e in parsed.entries)
    assert "<math" in contents and "mjx-" not in contents


def test_each_summary_is_the_pages_description(site, feed):
    for entry in feedparser.parse(feed.read_text(encoding="utf-8")).entries:
        metas = _metas(site, entry.link)
        summary = entry.summary
        assert metas == {"description": summary, "og:description": summary}, entry.link
        assert 40 <= len(summary) <= SUMMARY_LENGTH, (entry.link, summary)
        assert "<" not in summary and "\\(" not in summary
        # not the tags-like front matter ("Neural Network, Deep Learning"): a sentence
        assert len(summary.split()) >= 8, (entry.link, summary)
        if summary.endswith("\u2026"):  # cut at a word
            assert not summary[:-1].endswith(" ")
