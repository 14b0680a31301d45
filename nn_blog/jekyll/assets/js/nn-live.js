// Installs window.nnBlog.predict(name, rows): a Promise of class probabilities
// for the exported network NAME (assets/nn/NAME.json, fetched once, on first
// use). Rows are in the data set's raw units; the network's own preprocessing
// is applied. Self-hosted: the JSON is looked up beside this file's folder.

import { fromJSON, predict, classify } from "./nn-engine.js";

const networks = new Map(); // name -> Promise of a network

export function networkURL(name) {
  return new URL(`../../nn/${name}.json`, import.meta.url);
}

export function network(name) {
  if (typeof name !== "string" || !/^[a-z0-9][a-z0-9_-]*$/i.test(name)) {
    return Promise.reject(new TypeError(`not a network name: ${String(name)}`));
  }
  if (!networks.has(name)) {
    const loading = fetch(networkURL(name))
      .then((response) => {
        if (!response.ok) {
          throw new Error(`network "${name}": HTTP ${response.status}`);
        }
        return response.json();
      })
      .then(fromJSON);
    loading.catch(() => networks.delete(name)); // let a later call retry
    networks.set(name, loading);
  }
  return networks.get(name);
}

const api = {
  network,
  predict: async (name, rows) => predict(await network(name), rows),
  classify: async (name, rows) => classify(await network(name), rows),
};

if (typeof window !== "undefined") {
  window.nnBlog = Object.assign(window.nnBlog || {}, api);
}

export default api;
