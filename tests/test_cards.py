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
    (site / "_config.yml").write_text('title: "A blog"\ndescription: "About things."\n'
                                      "permalink: /:title/\n")
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


# --------------------------------------------------------------- hostile inputs, round 2

def _post(site, name, front, body="Hi.\n"):
    path = site / "_posts" / name
    path.write_text(f"---\n{front}header:\n  image: /{HEADER}\n---\n{body}", encoding="utf-8")
    return path


def test_only_posts_jekyll_publishes_get_a_card(tmp_path):
    site = _site(tmp_path)
    _post(site, "2020-03-01-hidden.md", "title: Hidden\npublished: false\n")
    _post(site, "2999-01-01-later.md", "title: Later\n")
    _post(site, "2020-03-02-dated-later.md", "title: Dated later\ndate: 2999-01-01\n")
    (site / "_drafts").mkdir()
    (site / "_drafts" / "draft.md").write_text(f"---\ntitle: D\nheader:\n  image: /{HEADER}\n---\n")
    assert set(cards.plan(site)) == {"default", "first-post"}
    (site / "_config.yml").write_text("title: A blog\nfuture: true\n")
    assert set(cards.plan(site)) == {"default", "first-post", "later", "dated-later"}


@pytest.mark.parametrize("title", ["From $0 to $100", "Price $\\frac{1$ only"])
def test_dollars_in_a_title_are_drawn_as_written(tmp_path, title):
    site = _site(tmp_path)
    _post(site, "2020-03-01-money.md", f"title: {json.dumps(title)}\n")
    card = cards.plan(site)["money"]
    fig = cards.draw(card, site)
    cards._png(fig)  # no math parser: nothing to fail
    shown = " ".join(t.get_text() for t in fig.texts)
    assert title in shown, shown
    assert all(not t.get_parse_math() for t in fig.texts if "$" in t.get_text())


def _png_header(width, height):
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + \
            struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + \
        chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


@pytest.mark.parametrize("size", [(8000, 6000), (30000, 30000)])  # 48 MP; a 900 MP bomb
def test_a_huge_header_image_is_refused_before_decoding(tmp_path, size):
    site = _site(tmp_path)
    big = site / "assets/images/big.png"
    big.write_bytes(_png_header(*size))
    post = site / "_posts" / "2020-01-02-first-post.md"
    post.write_text(post.read_text().replace(HEADER, "assets/images/big.png"))
    with pytest.raises(NNBlogError, match=r"assets/images/big\.png.*megapixels"):
        cards.update(site)


def test_a_corrupt_header_image_names_the_file(tmp_path):
    site = _site(tmp_path)
    (site / HEADER).write_bytes(b"\xff\xd8\xff not a jpeg at all" * 10)
    with pytest.raises(NNBlogError, match=r"blog-head-neural-network.*\.jpg: .*cannot be read"):
        cards.update(site)


def test_a_nul_byte_in_a_header_path_names_the_post(tmp_path):
    site = _site(tmp_path)
    _post(site, "2020-03-01-nul.md", "title: Nul\n").write_text(
        '---\ntitle: Nul\nheader:\n  image: "/assets/images/a\\0b.png"\n---\n')
    with pytest.raises(NNBlogError, match=r"_posts/2020-03-01-nul\.md.*header\.image.*NUL"):
        cards.plan(site)


def test_an_alias_bomb_in_front_matter_fails_fast_naming_the_post(tmp_path):
    site = _site(tmp_path)
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
        f"*{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    (site / "_posts" / "2020-03-01-bomb.md").write_text(
        f"---\n{bomb}title: *i\nheader:\n  image: /{HEADER}\n---\n")
    code = ("import sys, resource; resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30)); "
            "from nn_blog import cards\ntry:\n cards.plan(sys.argv[1])\nexcept ValueError as e:"
            "\n print(e)")
    done = subprocess.run([sys.executable, "-c", code, str(site)], capture_output=True,
                          text=True, timeout=60)
    assert "_posts/2020-03-01-bomb.md" in done.stdout and "alias" in done.stdout, \
        (done.stdout, done.stderr[-500:])


def test_a_post_starting_with_a_bom_gets_its_card(tmp_path):
    site = _site(tmp_path)
    post = _post(site, "2020-03-01-bom.md", "title: With a BOM\n")
    post.write_bytes(b"\xef\xbb\xbf" + post.read_bytes())
    assert cards.plan(site)["bom"]["title"] == "With a BOM"


def test_a_post_named_default_keeps_the_sites_default_card(tmp_path):
    site = _site(tmp_path)
    _post(site, "2020-03-01-default.md", "title: A post called default\n")
    planned = cards.plan(site)
    assert planned["default"]["title"] == "A blog" and planned["default"]["url"] is None
    mine = [name for name, card in planned.items() if card["url"] == "/default/"]
    assert len(mine) == 1 and mine[0] != "default"
    cards.update(site)
    manifest = json.loads((site / "_data/generated/cards.json").read_text())["cards"]
    assert manifest["default"]["url"] is None
    assert manifest[mine[0]]["path"] != manifest["default"]["path"]


def test_emoji_in_a_title_print_no_warning(tmp_path):
    site = _site(tmp_path)
    _post(site, "2020-03-01-rocket.md", 'title: "Launch 🚀 day ✨"\n')
    code = ("import sys; from nn_blog import cards; c = cards.plan(sys.argv[1])['rocket']; "
            "cards._png(cards.draw(c, __import__('pathlib').Path(sys.argv[1]).resolve()))")
    done = subprocess.run([sys.executable, "-W", "always", "-c", code, str(site)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr[-1000:]


@pytest.mark.parametrize("front", [
    "title: Placeholders\npermalink: /:categories/:year/:title/\ncategories: [Deep Learning]\n",
    "title: Categories\ncategories: [Neural Nets, c++]\n",
])
def test_a_card_names_its_post_by_source_path_whatever_its_url(tmp_path, front):
    """Issue 20 (cards): a permalink with placeholders, or categories Jekyll slugifies, give a URL
    this side cannot rebuild exactly; the plugin matches a card to its post by source path."""
    site = _site(tmp_path)
    _post(site, "2020-03-01-elsewhere.md", front)
    cards.update(site)
    manifest = json.loads((site / "_data/generated/cards.json").read_text())["cards"]
    assert manifest["elsewhere"]["source"] == "_posts/2020-03-01-elsewhere.md"
    assert manifest["first-post"]["source"] == "_posts/2020-01-02-first-post.md"
    assert manifest["default"]["source"] is None


def test_the_render_counts_the_cards_it_draws_and_check_lists_them(tmp_path):
    """A render that only draws a card says so (it used to say "nothing stale" while drawing),
    and `render --check` lists a stale card and fails."""
    site = _site(tmp_path)
    (site / "_data").mkdir()
    for name in ("networks.yml", "figures.yml"):
        (site / "_data" / name).write_text("# none\n")
    env = {"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "nn_blog", *args, "--root", str(site)],
                              capture_output=True, text=True, timeout=300, env=env)

    check = cli("render", "--check")
    assert check.returncode == 1 and "card     first-post" in check.stdout, check.stdout
    drawn = cli("render")
    assert drawn.returncode == 0, drawn.stderr
    assert "2 social card(s)" in drawn.stdout and "nothing stale" not in drawn.stdout
    assert cli("render", "--check").stdout.strip() == "everything is up to date"
