// The plugin's scripts, minified for the reader (called by minify.rb beside it and by
// tests/js/demo.py, argv form, JSON on stdin and stdout).
//
// stdin:  {"files": [{"name": "assets/js/nn-engine.js", "code": "..."}, ...]}
// stdout: {"version": "5.x", "results": [{"code": "..."} | {"error": "line:col message"}, ...]}
//
// Every file is an ES module: top-level names may be shortened too, imports and exports keep
// theirs. The sources stay as written (commented, readable) in the package; only the copy the
// site serves is minified, which is where the live figures' 60 kB budget is measured.
import { load, version as versionOf } from "./packages.mjs";

const { minify } = await load("terser");
const version = versionOf("terser");

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const { files } = JSON.parse(Buffer.concat(chunks).toString("utf8"));

const results = [];
for (const { name, code } of files) {
  try {
    const out = await minify({ [name]: code }, {
      module: true, ecma: 2022, compress: { passes: 2 }, format: { comments: false },
    });
    results.push({ code: `${out.code}\n` });
  } catch (err) {
    results.push({ error: `${err.line ?? "?"}:${err.col ?? "?"} ${err.message}` });
  }
}
process.stdout.write(JSON.stringify({ version, results }));
