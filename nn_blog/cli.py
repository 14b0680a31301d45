"""The `nn-blog` command line. Thin: parse, call the package, report, map errors to exit codes.

Each command's logic lives in the module it names; errors a user can cause (``ValueError``,
including ``NNBlogError``) become one line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import functools
import sys

import click


def user_errors(fn):
    """Turn a user's mistake into one line on stderr and exit code 2."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except (ValueError, FileNotFoundError) as err:
            message = str(err).splitlines()[0] if str(err) else type(err).__name__
            click.echo(f"nn-blog: error: {message}", err=True)
            sys.exit(2)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="nn-blog")
def main():
    """Train the blog's neural networks and render its figures."""


# --- commands are added below, one function each (train, render, list, serve) ---
