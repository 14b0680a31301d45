"""The `nn-blog` command line. Thin: parse, call the package, report, map errors to exit codes.

Each command's logic lives in the module it names; errors a user can cause (``ValueError``,
including ``NNBlogError``) become one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import sys

import click

# The modules of nn-blog's dependencies (pyproject.toml; PIL comes with matplotlib).
DEPENDENCIES = frozenset({"numpy", "matplotlib", "PIL", "yaml", "watchdog", "fontTools"})


def user_errors(fn):
    """Turn a user's mistake into one line on stderr and exit code 2.

    A syntax error in the package's own code (``nn_blog/``, which the author edits too) is one
    line naming the file and line as well, not a traceback.
    """

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except SyntaxError as err:
            _fail(f"{_shown(err.filename)}:{err.lineno}: {type(err).__name__}: {err.msg}")
        except ModuleNotFoundError as err:
            # a dependency missing from this Python (imported late, in a worker too): what to
            # install, not a traceback; a missing module of nn-blog itself is a bug and is shown
            top = (err.name or "").split(".")[0]
            if top not in DEPENDENCIES:
                raise
            _fail(f"{top} is not installed: pip install nn-blog")
        except (ValueError, FileNotFoundError) as err:
            # a user's mistake exits 2; an error that says otherwise (a lost worker) its own code
            _fail(str(err).splitlines()[0] if str(err) else type(err).__name__,
                  getattr(err, "exit_code", 2))

    return wrapper


def _fail(message: str, code: int = 2):
    click.echo(f"nn-blog: error: {message}", err=True)
    sys.exit(code)


def _shown(filename) -> str:
    """A file of the package as ``nn_blog/...``; any other path as it is."""
    from pathlib import Path

    if not filename:
        return "<unknown file>"
    path = Path(filename)
    package = Path(__file__).resolve().parent
    try:
        return path.resolve().relative_to(package.parent).as_posix()
    except ValueError:
        return str(path)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nn-blog")
def main():
    """Train the blog's neural networks and render its figures."""


# --- commands are added below, one function each (train, render, list, serve) ---


def _int_option(value, option, field):
    """An integer option parsed here, so that a typo costs one line, not click's usage text;
    bounded like the declaration's ``field`` (``epochs``, ``seed``) it overrides."""
    from nn_blog.declarations import NETWORK_FIELDS

    if value is None:
        return None
    bounds = NETWORK_FIELDS[field]
    try:
        number = int(value)
    except ValueError:
        number = None
    if number is None or not bounds.low <= number <= bounds.high:
        raise ValueError(f"{option} must be {bounds.describe()}, got {value!r}")
    return number


def _epoch_reporter(name, epochs, tty):
    """A progress bar with the loss on a terminal, else a plain line every ~10% of the epochs.

    Returns (context manager, callback(epoch, logs, net)) for ``experiments.train``.
    """
    import contextlib

    if tty:
        bar = click.progressbar(length=epochs, label=name, show_pos=True, item_show_func=(
            lambda logs: logs and f"loss {logs['loss']:.4f}  val acc {logs['val_accuracy']:.3f}"))
        return bar, lambda epoch, logs, net: bar.update(1, current_item=logs)
    every = max(1, epochs // 10)

    def line(epoch, logs, net):
        if epoch % every == 0 or epoch == epochs:
            click.echo(f"{name}: epoch {epoch}/{epochs}  loss {logs['loss']:.4f}  "
                       f"accuracy {logs['accuracy']:.3f}  val accuracy {logs['val_accuracy']:.3f}")

    return contextlib.nullcontext(), line


@main.command("train")
@click.argument("name")
@click.option("--seed", metavar="INTEGER",
              help="Seed for data, split and weights (default: declared).")
@click.option("--epochs", metavar="INTEGER", help="Number of epochs (default: declared).")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object with the results.")
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The site's root (holds _data/networks.yml).")
@user_errors
def train_command(name, seed, epochs, as_json, root):
    """Train the declared network NAME and report its accuracy."""
    import json

    from nn_blog import experiments
    from nn_blog.errors import NNBlogError

    seed = _int_option(seed, "--seed", "seed")
    epochs = _int_option(epochs, "--epochs", "epochs")
    specs = experiments.load_networks(root)
    if name not in specs:
        raise NNBlogError(f"unknown network {name!r}; known: {', '.join(specs)}",
                          file=experiments.NETWORKS_FILE)
    spec = specs[name]
    if as_json:
        trained = experiments.train(spec, seed=seed, epochs=epochs)
        click.echo(json.dumps({"name": name, **trained.results}))
        return
    n = spec["epochs"] if epochs is None else epochs
    progress, callback = _epoch_reporter(name, max(n, 1), sys.stdout.isatty())
    with progress:
        trained = experiments.train(spec, seed=seed, epochs=epochs, callback=callback)
    r = trained.results
    click.echo(f"{name}: test accuracy {r['test_accuracy']:.2%} (train {r['train_accuracy']:.2%}), "
               f"final loss {r['final_loss']:.4g}, {r['epochs']} epochs in {r['seconds']:.2f} s "
               f"(seed {r['seed']}, {r['n_params']} parameters)")


class _RenderProgress:
    """A render's progress: a bar redrawn on stderr on a terminal, else plain lines on stdout
    (so that stderr holds nothing but an error's one line)."""

    def __init__(self, tty: bool):
        self.tty, self.drawn = tty, False

    def __call__(self, message, done, total):
        if not self.tty or not total:
            self.clear()
            click.echo(f"[{done}/{total}] {message}" if total else message, err=self.tty)
            return
        filled = round(24 * done / total)
        click.echo(f"\r[{'#' * filled}{'-' * (24 - filled)}] {done}/{total} {message[:60]:<60}",
                   err=True, nl=False)
        self.drawn = True

    def clear(self):
        if self.drawn:
            click.echo("", err=True)
            self.drawn = False


@main.command("render")
@click.argument("names", nargs=-1)
@click.option("--force", is_flag=True, help="Redraw (and retrain) even what is up to date.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), help="Worker processes (default: cores).")
@click.option("--check", is_flag=True, help="Write nothing; exit 1 listing what is stale.")
@click.option("--dry-run", is_flag=True, help="Show what would be trained and drawn.")
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The site's root (holds _data/figures.yml).")
@user_errors
def render_command(names, force, jobs, check, dry_run, root):
    """Train the stale networks and draw the stale figures and excerpts (NAMES: only those)."""
    from nn_blog import render

    progress = _RenderProgress(sys.stderr.isatty())
    try:
        report = render.render(root, names=names or None, force=force, jobs=jobs, check=check,
                               dry_run=dry_run, progress=progress)
    finally:
        progress.clear()
    shown = [(i.kind, i.name, i.status, i.reason) for i in report.stale] if check or dry_run \
        else []
    # social cards have their own staleness (title, header image, cards.py): listed, counted
    cards = list(report.cards or [])
    if check or dry_run:
        shown += [("card", name, "stale", "its title, header image or cards.py changed")
                  for name in cards]
    width = max((len(name) for _, name, _, _ in shown), default=0)
    for kind, name, status, reason in shown:
        click.echo(f"{kind:8} {name:{width}}  {status:8} {reason}".rstrip())
    if dry_run:
        click.echo(f"would train or load: {', '.join(report.to_train) or 'nothing'}")
        click.echo(f"would draw: {', '.join(report.to_draw + cards) or 'nothing'}")
    elif check:
        click.echo(f"{len(shown)} stale" if shown else "everything is up to date")
        sys.exit(1 if shown else 0)
    elif report.rendered or report.trained or report.written or cards:
        drawn = f", {len(cards)} social card(s)" if cards else ""
        click.echo(f"drew {len(report.rendered)} figures{drawn}, trained {len(report.trained)} "
                   f"networks, wrote {len(report.written)} files in {report.seconds:.1f} s")
    else:
        click.echo(f"nothing stale ({report.seconds:.2f} s)")


@main.command("list")
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The site's root (holds _data/figures.yml).")
@click.option("--json", "as_json", is_flag=True,
              help="As JSON: a list of {kind, name, status, reason}.")
@click.option("--kinds", is_flag=True, help="The figure kinds and data sets (as `nn-blog kinds`).")
@user_errors
def list_command(root, as_json, kinds):
    """Each figure, network and excerpt with its status (fresh, stale, missing) and why."""
    import json

    from nn_blog import reference, render

    if kinds:
        click.echo(json.dumps(reference.data(), indent=1) if as_json else reference.text(),
                   nl=as_json)
        return
    items = render.status(root)
    if as_json:
        click.echo(json.dumps([{"kind": i.kind, "name": i.name, "status": i.status,
                                "reason": i.reason} for i in items], indent=1))
        return
    width = max((len(i.name) for i in items), default=0)
    for item in items:
        click.echo(f"{item.kind:8} {item.name:{width}}  {item.status:8} {item.reason}".rstrip())


@main.command("kinds")
@click.option("--json", "as_json", is_flag=True, help="As JSON, for tools.")
@click.option("--markdown", is_flag=True, help="As docs/reference.md.")
@user_errors
def kinds_command(as_json, markdown):
    """The figure kinds with their parameters and defaults, the data sets with theirs, the live
    figures, and the rules a render or build enforces."""
    import json

    from nn_blog import reference

    if as_json:
        click.echo(json.dumps(reference.data(), indent=1))
    else:
        click.echo(reference.markdown() if markdown else reference.text(), nl=False)


@main.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to serve on.")
@click.option("--port", type=click.IntRange(0, 65535), default=4000, show_default=True,
              help="Port to serve on; 0 picks a free one.")
@click.option("--livereload-port", type=click.IntRange(1, 65535), default=35729, show_default=True)
@click.option("--no-render", is_flag=True,
              help="Serve the figures on disk (rebuild on edits, render nothing).")
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The site's root (holds _config.yml).")
@user_errors
def serve_command(host, port, livereload_port, no_render, root):
    """Serve the blog with live reload; re-render figures when _data/ or nn_blog/ change."""
    import importlib.util

    if not no_render and importlib.util.find_spec("watchdog") is None:
        _fail("nn-blog serve needs watchdog to re-render, which is not installed: "
              "pip install 'nn-blog[serve]' (or run it with --no-render)")
    from nn_blog import serve

    sys.exit(serve.serve(root, host=host, port=port, livereload_port=livereload_port,
                         render=not no_render))


@main.command("new")
@click.argument("title")
@click.option("--date", metavar="YYYY-MM-DD", help="The post's date (default: today).")
@click.option("--slug", metavar="SLUG",
              help="The post's slug and its network's name (default: from the title).")
@click.option("--root", type=click.Path(file_okay=False), default=".", show_default=True,
              help="The site's folder.")
@user_errors
def new_command(title, date, slug, root):
    """Start a post TITLE with its own network and figure, ready to build."""
    from . import scaffold

    made = scaffold.new_post(root, title, date=None if date is None else
                             scaffold.parse_date(date), slug=slug)
    click.echo(f"wrote {made['post']}")
    click.echo(f"declared network '{made['network']}' in _data/networks.yml and figure "
               f"'{made['figure']}' in _data/figures.yml")
    if made["future"]:
        click.echo(f"next: {made['serve']}; the post is dated in the future, and Jekyll leaves "
                   "it out until then unless it builds with --future (or future: true in "
                   "_config.yml)")
    else:
        click.echo(f"next: {made['serve']}, then open http://127.0.0.1:4000{made['url']}")


# --- the Jekyll side: where it is, its Node packages, adding it to a site ---------------------

@main.command("plugin")
@click.option("--json", "as_json", is_flag=True, help="As JSON (what the site's loader reads).")
@user_errors
def plugin_command(as_json):
    """Where nn-blog's Jekyll plugin is, and the Python and Node packages it runs with."""
    from nn_blog import jekyll

    if as_json:
        click.echo(jekyll.info_json())
        return
    for key, value in jekyll.info().items():
        click.echo(f"{key:13} {value if value is not None else '(not installed: nn-blog setup)'}")


@main.command("setup")
@click.option("--json", "as_json", is_flag=True, help="End with the plugin's info as JSON.")
@click.option("--quiet", is_flag=True, help="Say only what is installed, nothing if nothing is.")
@user_errors
def setup_command(as_json, quiet):
    """Install the Node packages the build runs (MathJax, terser) into nn-blog's cache."""
    from nn_blog import jekyll

    modules = jekyll.setup_node(say=lambda line: click.echo(line, err=as_json))
    if as_json:
        click.echo(jekyll.info_json())
    elif not quiet:
        click.echo(f"Node packages: {modules}")


@main.command("math-font", hidden=True)
@click.argument("source", type=click.Path(dir_okay=False))
@click.argument("out", type=click.Path(dir_okay=False))
@user_errors
def math_font_command(source, out):
    """Write OUT: the math font SOURCE cut down to the characters read from stdin (UTF-8).

    The Jekyll plugin runs this when the characters its pages' math uses change.
    """
    from nn_blog import mathfont

    cap = 4 * mathfont.MAX_CHARS  # bytes: at most 4 a character in UTF-8
    chars = sys.stdin.buffer.read(cap + 1)
    if len(chars) > cap:
        _fail(f"math-font: more than {cap:,} bytes of characters on stdin")
    try:
        text = chars.decode("utf-8")
    except UnicodeDecodeError:
        _fail("math-font: the characters on stdin are not UTF-8")
    size = mathfont.write_subset(source, text, out)
    click.echo(f"{out}: {size:,} bytes")


@main.command("init")
@click.argument("root", default=".", type=click.Path(file_okay=False))
@click.option("--no-node", is_flag=True, help="Do not install the Node packages now.")
@user_errors
def init_command(root, no_node):
    """Add nn-blog to the Jekyll site in ROOT (default: here). Safe to run again."""
    from nn_blog.jekyll import init

    init.init(root, say=click.echo, install_node=not no_node)


@main.command("doctor")
@click.argument("root", default=".", type=click.Path(file_okay=False))
@user_errors
def doctor_command(root):
    """What this site and machine still need for nn-blog, one line each, with the fix."""
    from nn_blog.jekyll import init

    checks = init.doctor(root)
    for ok, line in checks:
        click.echo(f"{'ok' if ok else 'missing':7}  {line}")
    sys.exit(0 if all(ok for ok, _ in checks) else 1)
