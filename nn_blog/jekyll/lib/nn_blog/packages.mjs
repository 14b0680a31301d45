// The build's Node packages (nn_blog/jekyll/node/package.json) live in a cache outside the site,
// not beside these scripts, so a bare `import "mathjax"` would not find them: node.rb passes
// their folder as NN_BLOG_NODE_MODULES and the scripts load them through here.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const folder = process.env.NN_BLOG_NODE_MODULES;

function manifest(name) {
  if (!folder) throw new Error("NN_BLOG_NODE_MODULES is not set (run nn-blog setup)");
  return JSON.parse(readFileSync(join(folder, name, "package.json"), "utf8"));
}

// The package's version, as its package.json says.
export function version(name) {
  return manifest(name).version;
}

// import(name), resolved the way Node resolves an ES module's bare import of it.
export async function load(name) {
  const pkg = manifest(name);
  const main = pkg.exports?.["."];
  const entry = (typeof main === "string" ? main : main?.import ?? main?.default)
    ?? pkg.module ?? pkg.main ?? "index.js";
  return import(pathToFileURL(join(folder, name, entry)).href);
}
