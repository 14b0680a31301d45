"""Serve a built site the way GitHub Pages will: under its base path, and nothing outside it.

``make preview BASEURL=/NAME`` builds _site for /NAME and runs this: http://HOST:PORT/NAME/ is the
site, / redirects there, and any other path is a 404, so a link that forgets the base path fails
here as it would on https://USER.github.io/NAME/. Standard library only (no test tool needed).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import sys
from pathlib import Path


class Handler(http.server.SimpleHTTPRequestHandler):
    prefix = ""

    def do_GET(self):  # noqa: N802 (the standard library's name)
        path = self.path.split("?", 1)[0]
        if self.prefix and path in ("", "/"):
            self.send_response(302)
            self.send_header("Location", self.prefix + "/")
            self.end_headers()
            return
        if not (path == self.prefix or path.startswith(self.prefix + "/")):
            self.send_error(404, f"outside the base path {self.prefix}/")
            return
        self.path = self.path[len(self.prefix):] or "/"
        super().do_GET()

    do_HEAD = do_GET  # noqa: N815

    def send_error(self, code, message=None, explain=None):
        # Pages serves the site's own 404 page for a missing file under the base path.
        page = Path(self.directory) / "404.html"
        if code == 404 and page.is_file() and self.command == "GET":
            body = page.read_bytes()
            self.send_response(404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        super().send_error(code, message, explain)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--baseurl", default="")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=4000)
    args = parser.parse_args(argv)
    prefix = "/" + args.baseurl.strip("/") if args.baseurl.strip("/") else ""
    if not (args.site / "index.html").is_file():
        print(f"preview: {args.site}/index.html is missing: run `make site` first", file=sys.stderr)
        return 2
    handler = type("PreviewHandler", (Handler,), {"prefix": prefix})
    server = http.server.ThreadingHTTPServer(
        (args.host, args.port), functools.partial(handler, directory=str(args.site)))
    print(f"preview: http://{args.host}:{server.server_address[1]}{prefix}/ (Ctrl-C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
