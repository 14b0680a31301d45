"""Valid HTML (issue 21): the Nu HTML Checker (the W3C validator; npm `vnu-jar` in package.json,
run with the system's Java) over every built page, 0 errors. The only allowances are CSS
properties whose valid values its CSS checker does not know, each named with the reason.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
SECONDS = 600
# property -> why its error is the checker's, not the page's
ALLOWED_CSS = {
    # the live panels size themselves to their figure with a container query
    # (`container-type: inline-size`, CSS Containment 3), which the checker does not know yet
    "container-type",
}
CSS_ERROR = re.compile(r"^CSS: “([-\w]+)”:")


def allowed(message: dict) -> bool:
    found = CSS_ERROR.match(message.get("message", ""))
    # custom properties (`--nn-live-h`, the space a live panel reserves) are valid CSS the
    # checker's parser does not read ("Parse Error" on any `--name`)
    return bool(found) and (found.group(1) in ALLOWED_CSS or found.group(1).startswith("--"))


def errors(report: dict) -> list[str]:
    return [f"{m.get('url', '?').rsplit('/_site', 1)[-1]}:{m.get('lastLine', '?')}: "
            f"{m.get('message')}" for m in report["messages"]
            if m.get("type") in ("error", "non-document-error") and not allowed(m)]


def test_every_page_is_valid_html(site):
    java = shutil.which("java")
    if java is None or not VNU.is_file():
        pytest.fail("the Nu HTML Checker needs Java and node_modules/vnu-jar: make test-deps "
                    "and npm ci (make test-site installs both)")
    try:
        done = subprocess.run([java, "-jar", str(VNU), "--format", "json", "--skip-non-html",
                               str(site.dest)], capture_output=True, text=True, timeout=SECONDS)
    except subprocess.TimeoutExpired as err:
        raise AssertionError(f"vnu: no result within {SECONDS} s") from err
    report = json.loads(done.stderr)  # vnu writes its report to stderr
    checked = {m.get("url") for m in report["messages"]}
    assert errors(report) == [], f"{len(checked)} files reported"


def test_the_allowance_is_only_the_named_properties():
    assert allowed({"type": "error", "message": "CSS: “container-type”: Property doesn't exist."})
    assert not allowed({"type": "error", "message": "CSS: “clip-path”: Too many values."})
    assert not allowed({"type": "error", "message": "CSS: “color”: “x” is not a color."})
    assert not allowed({"type": "error", "message": "Element “details” not allowed as child."})
