// Build-time math (called by math.rb beside it, argv form, JSON on stdin/stdout).
//
// stdin:  {"fontURL": "...", "exprs": [{"tex": "...", "display": true}, ...]}
// stdout: {"version": "4.1.3", "base": [css block, ...],
//          "results": [{"html": "...", "css": [css block, ...]} | {"error": "..."}, ...]}
//
// Each expression is typeset on its own, with the font's character cache cleared first, so the
// CSS it reports is exactly what it needs (CHTML sizes every character by a CSS rule); the Ruby
// side caches html + css per expression and writes one <style> per page from the union.
// Output is CHTML with assistive MathML (mjx-assistive-mml) for screen readers; no speech rules.
import { load } from './packages.mjs';

const MathJax = (await load('mathjax')).default;

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on('data', (c) => chunks.push(c));
    process.stdin.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    process.stdin.on('error', reject);
  });
}

// MathJax writes its sheet as "selector {\n  ...\n}\n\n": one block per rule or @font-face.
// Fonts swap in: CHTML sizes every character with CSS padding, so the page lays out the same
// before and after a math font arrives, and text is never held invisible waiting for one.
function blocks(css) {
  return css.split(/\n\n+/).map((b) => b.trim()).filter((b) => b.length > 0)
    .map((b) => b.startsWith('@font-face') ? b.replace(/\n\}$/, '\n  font-display: swap;\n}') : b);
}

// Attributes the page does not need: data-latex repeats the TeX on every node (the assistive
// MathML and the top-level container keep it readable), and they double the HTML.
// A display equation too wide for a phone scrolls inside its own box, so it takes keyboard
// focus (as MathJax does in the browser, tabindex="0").
function slim(html, display) {
  html = html.replace(/ data-latex(-item)?="[^"]*"/g, '');
  return display ? html.replace(/^<mjx-container /, '<mjx-container tabindex="0" ') : html;
}

// What TeX may put in the page (issue 20, row 3), enforced twice: MathJax's ui/safe extension
// filters \href, \style, \class and \cssId as it typesets (links: http, https, mailto and
// relative only; no ids; styles from its safe list less cursor, which takes a url()), and then
// every expression's HTML is checked for what must never pass (unsafe(): a link with another
// scheme, an id, a style with url() or position), which fails the build naming the expression.
const SAFE = {
  allow: {URLs: 'safe', classes: 'safe', cssIDs: 'none', styles: 'safe'},
  safeProtocols: {http: true, https: true, mailto: true, file: false, javascript: false, data: false},
  safeStyles: {cursor: false},
};
const SCHEMES = new Set(['http', 'https', 'mailto']);

function unsafe(html) {
  for (const [, url] of html.matchAll(/ href="([^"]*)"/g)) {
    // a browser drops ASCII whitespace and control characters anywhere in a URL
    const plain = url.replace(/&[a-z]+;|&#x?[0-9a-f]+;/gi, (e) => (e === '&amp;' ? '&' : '\0'))
      .replace(/[\u0000-\u0020\u007f]/g, '');
    const scheme = /^([^:/?#]*):/.exec(plain);
    if (scheme && !SCHEMES.has(scheme[1].toLowerCase())) return `a link to ${url}`;
  }
  if (/ id="/.test(html)) return 'an element id (\\cssId)';
  for (const [, style] of html.matchAll(/ style="([^"]*)"/g)) {
    if (/url\s*\(|position:(?!\s*relative\b)|@import|expression\s*\(/i.test(style)) return `the style "${style}"`;
  }
  return null;
}

const input = JSON.parse(await readStdin());
await MathJax.init({
  loader: {load: ['input/tex', 'output/chtml', 'a11y/assistive-mml', 'ui/safe']},
  options: {safeOptions: SAFE},
  startup: {
    typeset: false,
    // a11y/assistive-mml, when the configuration has `options` (ours: safeOptions), adds
    // options.menuOptions so the browser's contextual menu shows its setting; the menu (ui/menu)
    // is never loaded at build time, so the document would refuse the option with a warning on
    // stderr. It means nothing here: it goes before the document reads the options.
    ready() {
      delete globalThis.MathJax.config.options.menuOptions;
      globalThis.MathJax.startup.defaultReady();
    },
  },
  // Undefined macros are errors (noundefined would draw them in red), and every error throws, so
  // the build can name the expression instead of shipping a red box.
  tex: {
    packages: {'[+]': ['ams'], '[-]': ['noundefined']},
    formatError: (jax, err) => { throw err; },
  },
  chtml: {fontURL: input.fontURL, displayOverflow: 'scroll', adaptiveCSS: true},
});

const adaptor = MathJax.startup.adaptor;
const output = MathJax.startup.output;
output.clearCache();
const base = new Set(blocks(adaptor.textContent(MathJax.chtmlStylesheet())));
const results = [];
for (const {tex, display} of input.exprs) {
  try {
    output.clearCache();
    const node = await MathJax.tex2chtmlPromise(tex, {display});
    const css = blocks(adaptor.textContent(MathJax.chtmlStylesheet())).filter((b) => !base.has(b));
    const html = slim(adaptor.outerHTML(node), display);
    const refused = unsafe(html);
    if (refused) throw new Error(`refused: it would put ${refused} in the page`);
    results.push({html, css});
  } catch (err) {
    results.push({error: String(err && err.message ? err.message : err).split('\n')[0]});
  }
}
process.stdout.write(JSON.stringify({version: MathJax.version, base: [...base], results}));
