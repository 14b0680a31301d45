// The playground's model run in Node for tests/test_playground.py: for each
// configuration given (the URL's form, "data:moons;layers:4,4;..."), the
// declaration the page would show and its first EPOCHS epochs' losses, as JSON
// on stdout. Usage: node tests/js/playground-run.mjs EPOCHS STATE...

import {
  DEFAULTS, build, declaration, decode, encode, trainEpoch,
} from "../../nn_blog/jekyll/assets/js/nn-playground.js";

const [epochs, ...states] = process.argv.slice(2);
const out = { defaults: declaration(DEFAULTS, 1), default_state: encode(DEFAULTS), runs: [] };
for (const state of states) {
  const config = decode(state);
  const run = build(config);
  for (let e = 0; e < Number(epochs); e++) trainEpoch(run);
  out.runs.push({ state, encoded: encode(config), yaml: declaration(config, run.epoch),
    losses: run.losses, test_losses: run.testLosses });
}
process.stdout.write(JSON.stringify(out));
