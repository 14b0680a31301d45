"""Social cards: one 1200x630 PNG per post with a header, a default for the rest, drawn only when
their inputs change, byte-identical across processes."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from nn_blog import cards
from nn_blog.errors import NNBlogError

ROOT = Path(__file__).resolve().parents[1]
HEADER = "assets/images/blog-head-neural-network_16-August-2020.jpg"


def _site(tmp_path, header=HEADER):
    site = tmp_path / "site"
    (site / "_posts").mkdir(parents=True)
    (site / "_config.yml").write_text('title: "A blog"\ndescription: "About things."\n')
    image = site / HEADER
    image.parent.mkdir(parents=True)
    shutil.copy(ROOT / HEADER, image)
    head = f"header:\n  image: /{header}\n" if header else ""
    (site / "_posts" / "2020-01-02-first-post.md").write_text(
        f"---\ntitle: A first post\n{head}---\nHello.\n")
    (site / "_posts" / "2020-02-03-plain.md").write_text("---\ntitle: Plain\n---\nNo header.\n")
    return site


def _size(path):
    from PIL import Image

    with Image.open(path) as img:
        return img.size


def test_cards_are_drawn_once_at_1200_by_630(tmp_path):
    site = _site(tmp_path)
    assert sorted(cards.update(site)) == ["default", "first-post"]
    for name in ["default", "first-post"]:
        assert _size(site / "assets/images/cards" / f"{name}.png") == (1200, 630)
    assert not (site / "assets/images/cards/plain.png").exists()  # no header: the default
    manifest = json.loads((site / "_data/generated/cards.json").read_text())["cards"]
    assert manifest["first-post"]["url"] == "/first-post/"
    assert manifest["first-post"]["path"] == "/assets/images/cards/first-post.png"
    assert cards.update(site) == []  # nothing changed, nothing drawn


def test_a_new_title_redraws_only_that_card(tmp_path):
    site = _site(tmp_path)
    cards.update(site)
    before = (site / "assets/images/cards/default.png").read_bytes()
    post = site / "_posts" / "2020-01-02-first-post.md"
    post.write_text(post.read_text().replace("A first post", "A better title"))
    assert cards.update(site) == ["first-post"]
    assert (site / "assets/images/cards/default.png").read_bytes() == before


def test_cards_are_byte_identical_across_processes(tmp_path):
    one, two = _site(tmp_path / "a"), _site(tmp_path / "b")
    code = "import sys; from nn_blog import cards; cards.update(sys.argv[1])"
    for site in (one, two):
        subprocess.run([sys.executable, "-c", code, str(site)], check=True, timeout=120)
    for name in ["default.png", "first-post.png"]:
        assert (one / "assets/images/cards" / name).read_bytes() == \
            (two / "assets/images/cards" / name).read_bytes()


def test_a_fresh_check_does_not_import_matplotlib(tmp_path):
    site = _site(tmp_path)
    cards.update(site)
    code = ("import sys; from nn_blog import cards; assert cards.update(sys.argv[1]) == []; "
            "print('matplotlib' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True,
                          text=True, timeout=120, check=True)
    assert done.stdout.strip() == "False"


def test_a_header_outside_the_site_is_refused(tmp_path):
    site = _site(tmp_path, header="../../../etc/passwd.png")
    with pytest.raises(NNBlogError, match=r"2020-01-02-first-post\.md.*header\.image"):
        cards.plan(site)


def test_broken_front_matter_names_the_post(tmp_path):
    site = _site(tmp_path)
    (site / "_posts" / "2020-03-04-broken.md").write_text("---\ntitle: [unclosed\n---\n")
    with pytest.raises(NNBlogError, match=r"2020-03-04-broken\.md"):
        cards.plan(site)
