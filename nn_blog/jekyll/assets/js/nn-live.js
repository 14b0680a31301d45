// Installs window.nnBlog.predict(name, rows): a Promise of class probabilities
// for the exported network NAME (assets/nn/NAME.json, fetched once, on first
// use). Rows are in the data set's raw units; the network's own preprocessing
// is applied. Self-hosted: the JSON is looked up beside this file's folder.

import { fromJSON, predict, classify } from "./nn-engine.js";

// The site's largest export is under 50 kB; a file this big is not one, and is
// refused before it is parsed (issue 20: no size bound on exports).
export const MAX_BYTES = 4 * 1024 * 1024;

const files = new Map(); // name -> Promise of the checked, deeply frozen JSON
const shared = new Map(); // name -> Promise of this module's own network

export function networkURL(name) {
  return new URL(`../../nn/${name}.json`, import.meta.url);
}

function deepFreeze(value) {
  if (value && typeof value === "object" && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

// The body's text, refused past MAX_BYTES: by its Content-Length before anything is read,
// and while it is read (a server may send no length, or a wrong one).
async function boundedText(response, name) {
  const tooBig = () => new Error(`network "${name}": the export is over ${MAX_BYTES} bytes`);
  const declared = Number(response.headers.get("content-length"));
  if (declared > MAX_BYTES) throw tooBig();
  if (!response.body) {
    const text = await response.text();
    if (text.length > MAX_BYTES) throw tooBig();
    return text;
  }
  const reader = response.body.getReader();
  const chunks = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_BYTES) {
      reader.cancel().catch(() => {});
      throw tooBig();
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return new TextDecoder().decode(bytes);
}

function load(name) {
  if (!files.has(name)) {
    const loading = fetch(networkURL(name))
      .then((response) => {
        if (!response.ok) {
          throw new Error(`network "${name}": HTTP ${response.status}`);
        }
        return boundedText(response, name);
      })
      .then((text) => {
        const json = JSON.parse(text);
        fromJSON(json); // checked once: a bad file fails every call the same way
        return deepFreeze(json);
      });
    loading.catch(() => files.delete(name)); // let a later call retry
    files.set(name, loading);
  }
  return files.get(name);
}

function checkName(name) {
  if (typeof name !== "string" || !/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    throw new TypeError(`not a network name: ${String(name)}`);
  }
}

// A network of the caller's own: every call builds one (a few ms) from the shared, frozen
// JSON, so no figure (or a page's script, through window.nnBlog) can change the weights
// another one reads.
export async function network(name) {
  checkName(name);
  return fromJSON(await load(name));
}

// The network predict and classify below use; never handed out.
function own(name) {
  checkName(name);
  if (!shared.has(name)) {
    const net = load(name).then(fromJSON);
    net.catch(() => shared.delete(name));
    shared.set(name, net);
  }
  return shared.get(name);
}

const api = {
  network,
  predict: async (name, rows) => predict(await own(name), rows),
  classify: async (name, rows) => classify(await own(name), rows),
};

if (typeof window !== "undefined") {
  window.nnBlog = Object.assign(window.nnBlog || {}, api);
}

export default api;
