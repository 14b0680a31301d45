"""What the package needs to know of the Jekyll site it lives in, read from the site's own files.

``nn-blog new`` writes a post that fits the host site (the front matter most of its posts use, a
layout it has, the way it is served, a URL no page holds yet) and the social cards draw only the
posts Jekyll publishes. Both read the site through this module: front matter goes through the
declarations' hardened YAML loader (:func:`nn_blog.declarations.parse_yaml`), so an alias bomb in
a post costs one line naming the post, not all memory.
"""

from __future__ import annotations

import datetime as dt
import glob
import os
import re
from collections import Counter
from pathlib import Path

from .declarations import load_yaml, parse_yaml
from .errors import NNBlogError

POST_EXTS = (".md", ".markdown", ".mkdown", ".mkdn", ".mkd", ".html", ".htm", ".textile")
POST_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)\Z")
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?\r?\n)?---[ \t]*(\r?\n|\Z)", re.S)
MAX_FRONT_MATTER = 64 * 1024
MAX_PAGES = 5000                 # files looked at when collecting the site's URLs
# Layouts of themes whose gem may not be installed here (what the gem ships).
KNOWN_THEME_LAYOUTS = {"minima": {"default", "home", "page", "post"}}
GEM_DIRS = ("/usr/share/rubygems-integration/all/gems", "/var/lib/gems/*/gems",
            "/usr/lib/ruby/gems/*/gems", "~/.gem/ruby/*/gems", "~/.local/share/gem/ruby/*/gems")


def config(root: Path) -> dict:
    """``_config.yml`` (hardened loader); {} when empty."""
    data = load_yaml(root, "_config.yml", required=True)
    return data if isinstance(data, dict) else {}


def front_matter(root: Path, path: Path) -> dict | None:
    """A page's front matter (a dict; {} when empty), None when the file has none.

    A UTF-8 byte order mark before the first ``---`` is skipped, as Jekyll does.
    """
    rel = _rel(root, path)
    try:
        with open(path, "rb") as fh:
            raw = fh.read(MAX_FRONT_MATTER + 16)
    except OSError as err:
        raise NNBlogError(f"cannot read it ({err.strerror or err})", file=rel) from None
    text = raw.decode("utf-8", errors="replace").removeprefix("\ufeff")
    match = FRONT_MATTER.match(text)
    if not match:
        return None
    data = parse_yaml(match.group(1) or "", rel)
    return dict(data) if isinstance(data, dict) else {}


def _rel(root: Path, path: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix()
    except ValueError:
        return str(path)


def posts(root: Path, folder: str = "_posts") -> list[Path]:
    """The site's post files (``YYYY-MM-DD-slug.ext``), sorted."""
    top = root / folder
    if not top.is_dir():
        return []
    return sorted(p for p in top.rglob("*") if p.suffix.lower() in POST_EXTS and p.is_file()
                  and POST_NAME.match(p.stem) and not p.name.startswith((".", "_")))


def post_slug(path: Path) -> str:
    """``2020-10-17-nn-from-scratch.md`` -> ``nn-from-scratch`` (Jekyll's slug for a post)."""
    match = POST_NAME.match(path.stem)
    return match.group(2) if match else path.stem


def post_date(path: Path, matter: dict) -> dt.datetime | None:
    """When Jekyll dates the post (front matter ``date`` over the file name), in UTC."""
    value = matter.get("date")
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=dt.timezone.utc)
    if isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip())
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
        except ValueError:
            pass
    match = POST_NAME.match(path.stem)
    try:
        day = dt.date.fromisoformat(match.group(1)) if match else None
    except ValueError:
        return None
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc) if day else None


def publishes(conf: dict, path: Path, matter: dict, now: dt.datetime | None = None) -> bool:
    """Whether ``jekyll build`` publishes this post: not ``published: false``, not dated after
    ``now`` (UTC) unless the config sets ``future: true``. Drafts are never passed here."""
    if matter.get("published") is False or str(matter.get("published")).lower() == "false":
        return False
    if conf.get("future") is True:
        return True
    when = post_date(path, matter)
    now = now or dt.datetime.now(dt.timezone.utc)
    return when is None or when <= now


# ------------------------------------------------------------------------------ house style

def house_front_matter(root: Path) -> dict[str, object]:
    """The front matter keys at least half of the site's posts use, each with its most common
    value (a value is compared as its repr: lists and mappings count too)."""
    matters = []
    for path in posts(root):
        matter = front_matter(root, path)
        if matter is not None:
            matters.append(matter)
    if not matters:
        return {}
    keys = Counter(key for matter in matters for key in matter)
    house = {}
    for key, count in keys.items():
        if 2 * count < len(matters):
            continue
        values = Counter(repr(m[key]) for m in matters if key in m)
        best = values.most_common(1)[0][0]
        house[key] = next(m[key] for m in matters if key in m and repr(m[key]) == best)
    return house


def theme_layouts(theme: str) -> set[str] | None:
    """The layouts the theme gem ships (None when the gem is not found and not known)."""
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", theme or ""):
        return None
    dirs = [os.environ.get("GEM_HOME", "") + "/gems"] + list(GEM_DIRS)
    for pattern in dirs:
        for gems in glob.glob(os.path.expanduser(pattern)):
            for gem in sorted(glob.glob(os.path.join(glob.escape(gems), f"{theme}-[0-9]*"))):
                layouts = Path(gem) / "_layouts"
                if layouts.is_dir():
                    return {p.stem for p in layouts.iterdir() if p.suffix == ".html"}
    return KNOWN_THEME_LAYOUTS.get(theme)


def layouts(root: Path, conf: dict) -> set[str]:
    """Every layout the site can use: its own ``_layouts/`` and its theme's."""
    own = {p.stem for p in (root / "_layouts").glob("*.html")} if \
        (root / "_layouts").is_dir() else set()
    theme = conf.get("theme")
    if isinstance(theme, str):
        own |= theme_layouts(theme) or set()
    return own


def defaults_layout(conf: dict) -> bool:
    """Whether ``_config.yml``'s ``defaults:`` give posts a layout."""
    for item in conf.get("defaults") or []:
        if not isinstance(item, dict) or "layout" not in (item.get("values") or {}):
            continue
        scope = item.get("scope") or {}
        if scope.get("type") in (None, "posts") and str(scope.get("path", "")) in ("", "_posts"):
            return True
    return False


def serve_command(root: Path) -> str:
    """How the author serves this site: ``make serve`` when its Makefile has that target."""
    for name in ("GNUmakefile", "makefile", "Makefile"):
        makefile = root / name
        if makefile.is_file() and _has_target(root, makefile, "serve", depth=0):
            return "make serve"
    return "nn-blog serve"


def _has_target(root: Path, makefile: Path, target: str, depth: int) -> bool:
    try:
        text = makefile.read_text(encoding="utf-8", errors="replace")[:1_000_000]
    except OSError:
        return False
    if re.search(rf"^{re.escape(target)}\s*:(?!=)", text, re.M):
        return True
    if depth >= 3:
        return False
    for line in re.findall(r"^-?include\s+(.+)$", text, re.M):
        for part in line.split():
            for found in sorted(root.glob(part)) if "$" not in part else []:
                if found.is_file() and _has_target(root, found, target, depth + 1):
                    return True
    return False


# ------------------------------------------------------------------------------------ URLs

def post_url(conf: dict, slug: str, date: dt.date, matter: dict) -> str:
    """The URL Jekyll gives a post (its ``permalink``, else the site's permalink style)."""
    if isinstance(matter.get("permalink"), str):
        return matter["permalink"]
    styles = {"date": "/:categories/:year/:month/:day/:title:output_ext",
              "pretty": "/:categories/:year/:month/:day/:title/",
              "ordinal": "/:categories/:year/:y_day/:title:output_ext",
              "none": "/:categories/:title:output_ext"}
    style = conf.get("permalink") if isinstance(conf.get("permalink"), str) else "date"
    pattern = styles.get(style, style)
    cats = matter.get("categories") or matter.get("category") or []
    cats = cats.split() if isinstance(cats, str) else [str(c) for c in cats] \
        if isinstance(cats, list) else []
    parts = {":categories": "/".join(c.lower() for c in cats), ":year": f"{date.year:04d}",
             ":month": f"{date.month:02d}",
             ":day": f"{date.day:02d}", ":i_month": str(date.month), ":i_day": str(date.day),
             ":short_year": f"{date.year % 100:02d}", ":y_day": f"{date.timetuple().tm_yday:03d}",
             ":title": slug, ":slug": slug, ":output_ext": ".html"}
    url = re.sub(r":[a-z_]+", lambda m: parts.get(m.group(0), ""), pattern)
    return re.sub(r"/+", "/", "/" + url)


def same_url(a: str, b: str) -> bool:
    return _norm_url(a) == _norm_url(b)


def _norm_url(url: str) -> str:
    url = re.sub(r"/+", "/", "/" + url.strip())
    url = re.sub(r"(/index)?\.html?\Z", "", url)
    return url.rstrip("/").lower() or "/"


def page_urls(root: Path, conf: dict) -> dict[str, str]:
    """URL -> the file (relative to the root) of every page and post the site has."""
    urls: dict[str, str] = {}
    exclude = {str(x).strip("/") for x in conf.get("exclude") or []}
    include = {str(x).strip("/") for x in conf.get("include") or []}
    seen = 0
    for folder, dirs, files in os.walk(root):
        rel_dir = Path(folder).relative_to(root)
        dirs[:] = sorted(d for d in dirs if (rel_dir / d).as_posix() in include or (
            not d.startswith((".", "_")) and (rel_dir / d).as_posix() not in exclude
            and d not in ("node_modules", "vendor")))
        for name in sorted(files):
            seen += 1
            if seen > MAX_PAGES:
                return urls
            path = Path(folder) / name
            if path.suffix.lower() not in POST_EXTS or name.startswith((".", "_")):
                continue
            matter = front_matter(root, path)
            if matter is None:
                continue
            rel = path.relative_to(root).as_posix()
            link = matter.get("permalink")
            stem = rel.rsplit(".", 1)[0]
            url = link if isinstance(link, str) else "/" + stem
            urls.setdefault(_norm_url(url), rel)
    for path in posts(root):
        matter = front_matter(root, path) or {}
        when = post_date(path, matter)
        day = when.date() if when else dt.date(1970, 1, 1)
        urls.setdefault(_norm_url(post_url(conf, post_slug(path), day, matter)),
                        path.relative_to(root).as_posix())
    return urls


def url_owner(root: Path, conf: dict, url: str) -> str | None:
    """The file of the page or post that has ``url`` already, if any."""
    return page_urls(root, conf).get(_norm_url(url))
