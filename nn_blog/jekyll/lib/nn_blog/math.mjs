// Build-time math (called by math.rb beside it, argv form, JSON on stdin/stdout).
//
// stdin:  {"exprs": [{"tex": "...", "display": true}, ...]}
// stdout: {"version": "4.1.3",
//          "results": [{"html": "<math ...>...</math>", "chars": "..."} | {"error": "..."}, ...]}
//
// Each expression becomes MathML, which every current browser lays out natively (MathML Core:
// Chromium 109+, Firefox, Safari), so a page carries one <math> per formula and no script, no
// per-character CSS and no layout work beyond the browser's own. MathJax's TeX input reads the
// TeX; before the tree is written out, the few things TeX's MathML says in ways MathML Core does
// not read are said in ways it does (core() below). `chars` lists every character the math font
// must hold to draw it, including the italic letters a single-letter <mi> is shown in, so
// math.rb can cut the font down to what the site uses.
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

// --- TeX's MathML, said the way MathML Core reads it -------------------------------------------

// Letters in the Mathematical Alphanumeric Symbols block: MathML Core draws only
// mathvariant="normal", so \mathbf{W} is written as the bold letter itself (U+1D416). Each style:
// the first capital, small letter and digit (null: the style has no digits); `holes` are the
// letters Unicode had encoded before the block (script B is U+212C, not U+1D49D).
const STYLES = {
  'bold': {A: 0x1D400, a: 0x1D41A, d: 0x1D7CE, G: 0x1D6A8, g: 0x1D6C2},
  'italic': {A: 0x1D434, a: 0x1D44E, d: null, G: 0x1D6E2, g: 0x1D6FC},
  'bold-italic': {A: 0x1D468, a: 0x1D482, d: null, G: 0x1D71C, g: 0x1D736},
  'script': {A: 0x1D49C, a: 0x1D4B6, d: null},
  'bold-script': {A: 0x1D4D0, a: 0x1D4EA, d: null},
  'fraktur': {A: 0x1D504, a: 0x1D51E, d: null},
  'double-struck': {A: 0x1D538, a: 0x1D552, d: 0x1D7D8},
  'bold-fraktur': {A: 0x1D56C, a: 0x1D586, d: null},
  'sans-serif': {A: 0x1D5A0, a: 0x1D5BA, d: 0x1D7E2},
  'bold-sans-serif': {A: 0x1D5D4, a: 0x1D5EE, d: 0x1D7EC},
  'sans-serif-italic': {A: 0x1D608, a: 0x1D622, d: null},
  'monospace': {A: 0x1D670, a: 0x1D68A, d: 0x1D7F6},
};
// MathJax's names for TeX's own alphabets, as the nearest Unicode style
const TEX_VARIANTS = {
  '-tex-calligraphic': 'script', '-tex-bold-calligraphic': 'bold-script',
  '-tex-mathit': 'italic', '-tex-oldstyle': 'normal', '-tex-bold-oldstyle': 'bold',
};
const HOLES = {
  0x1D455: 0x210E, 0x1D49D: 0x212C, 0x1D4A0: 0x2130, 0x1D4A1: 0x2131, 0x1D4A3: 0x210B,
  0x1D4A4: 0x2110, 0x1D4A7: 0x2112, 0x1D4A8: 0x2133, 0x1D4AD: 0x211B, 0x1D4BA: 0x212F,
  0x1D4BC: 0x210A, 0x1D4C4: 0x2134, 0x1D506: 0x212D, 0x1D50B: 0x210C, 0x1D50C: 0x2111,
  0x1D515: 0x211C, 0x1D51D: 0x2128, 0x1D53A: 0x2102, 0x1D53F: 0x210D, 0x1D545: 0x2115,
  0x1D547: 0x2119, 0x1D548: 0x211A, 0x1D549: 0x211D, 0x1D551: 0x2124,
};

// The character `ch` drawn in `style`, or null when the style has no such letter.
function styled(ch, style) {
  const s = STYLES[style];
  const c = ch.codePointAt(0);
  let at = null;
  if (!s) return null;
  if (c >= 0x41 && c <= 0x5A) at = s.A + c - 0x41;
  else if (c >= 0x61 && c <= 0x7A) at = s.a + c - 0x61;
  else if (c >= 0x30 && c <= 0x39 && s.d) at = s.d + c - 0x30;
  // Greek: capitals U+0391-03A9 (less U+03A2), small U+03B1-03C9
  else if (c >= 0x391 && c <= 0x3A9 && c !== 0x3A2 && s.G) at = s.G + c - 0x391;
  else if (c >= 0x3B1 && c <= 0x3C9 && s.g) at = s.g + c - 0x3B1;
  if (at === null) return null;
  return String.fromCodePoint(HOLES[at] ?? at);
}

function textOf(token) {
  return token.childNodes.map((c) => (c.isKind('text') ? c.getText() : '')).join('');
}

// An <mtable>'s attribute list ("right left", "0em 2em") as the value for column or row i.
function nth(list, i) {
  const items = String(list).trim().split(/\s+/);
  return items[Math.min(i, items.length - 1)];
}

// MathML Core lays a table out as CSS does, with the same padding round every cell; TeX's
// alignments (aligned, bmatrix, cases) set their columns' alignment and the space between
// columns and rows. Each cell gets its column's `columnalign` (Firefox reads it; nn-math.css
// turns it into the text-align Chromium and Safari read) and its share of the spacing as
// padding.
function tableStyles(table) {
  const attr = table.attributes;
  const align = attr.get('columnalign') || 'center';
  const colSpace = attr.get('columnspacing') || '0.8em';
  const rowSpace = attr.get('rowspacing') || '1ex';
  const half = (v) => {
    const m = /^(-?[\d.]+)([a-z%]*)$/.exec(v);
    return m ? `${+(m[1] / 2).toFixed(3)}${m[1] === '0' ? '' : m[2] || 'em'}` : `calc(${v} / 2)`;
  };
  const rows = table.childNodes.filter((r) => r.isKind('mtr') || r.isKind('mlabeledtr'));
  rows.forEach((row, r) => {
    const cells = row.childNodes.filter((c) => c.isKind('mtd'));
    cells.forEach((cell, c) => {
      const left = c === 0 ? '0' : half(nth(colSpace, c - 1));
      const right = c === cells.length - 1 ? '0' : half(nth(colSpace, c));
      const top = r === 0 ? '0' : half(nth(rowSpace, r - 1));
      const bottom = r === rows.length - 1 ? '0' : half(nth(rowSpace, r));
      const side = cell.attributes.getExplicit('columnalign') ||
        row.attributes.getExplicit('columnalign') || nth(align, c);
      if (side !== 'center') cell.attributes.set('columnalign', side);
      cell.attributes.set('style', `padding: ${top} ${right} ${bottom} ${left}`);
    });
  });
  for (const name of ['columnalign', 'columnspacing', 'rowspacing', 'data-break-align']) {
    if (attr.isSet(name)) attr.unset(name);
  }
}

// TeX's \hat and \tilde: MathJax writes ASCII ^ and ~, which Chromium draws where they sit in
// text (high, and small); the modifier letters are the accent glyphs a math font places over
// a letter (the combining U+0302 was drawn off to the left of an italic capital).
const ACCENTS = {'^': '\u02C6', '~': '\u02DC'};
const PRIMES = new Set(['\u2032', '\u2033', '\u2034', '\u2057']);

// f' is <msup>f<mo>′</mo></msup> in TeX's MathML; a math font's prime is already raised, so
// MathML Core would raise it twice (Firefox knows; Chromium does not): it follows its base.
function unraisePrime(n, factory) {
  const sup = n.isKind('msup') ? n.childNodes[1] : n.isKind('msubsup') ? n.childNodes[2] : null;
  if (!sup || !sup.isKind('mo') || !PRIMES.has(textOf(sup)) || !n.parent) return;
  const base = factory.create('mrow', {}, [n.childNodes[0], sup]);
  const row = n.isKind('msup') ? base : factory.create('msub', {}, [base, n.childNodes[1]]);
  n.parent.replaceChild(row, n);
}

// \log, \max, \operatorname{softmax}: TeX puts a thin space round a function's name (none
// before an opening bracket). MathJax writes the name as an <mi> followed by U+2061 (function
// application), or as an <mo> (\max, whose limits move); MathML Core spaces neither as TeX does
// (the <mi> not at all, the unknown <mo> by 0.28 em on each side), so the spaces are written out.
const THIN = '0.167em';
const TEXCLASS = MathJax._.core.MmlTree.MmlNode.TEXCLASS;
const OPENING = /^[([{\u27E8|\u2016\u2308\u230A]$/;
function spaceFunction(n, factory) {
  const row = n.parent;
  if (!row || [...textOf(n)].length < 2 || n.texClass !== TEXCLASS.OP) return;
  const kids = row.childNodes;
  const i = kids.indexOf(n);
  const before = kids[i - 1];
  const spaceBefore = before && !before.isKind('mo') && !before.isKind('mspace');
  const after = kids[i + 1];
  const apply = after && after.isKind('mo') && textOf(after) === '\u2061' ? after : null;
  const next = kids[apply ? i + 2 : i + 1];
  const spaceAfter = next && !(next.isKind('mo') && OPENING.test(textOf(next)));
  if (n.isKind('mo')) {
    n.attributes.set('lspace', spaceBefore ? THIN : '0');
    n.attributes.set('rspace', spaceAfter && !apply ? THIN : '0');
  } else if (spaceBefore) {
    const space = factory.create('mspace', {width: THIN});
    space.parent = row;
    kids.splice(i, 0, space);
  }
  if (apply && spaceAfter) apply.attributes.set('rspace', THIN);
}

// Adds to `chars` what the font needs for `node`, and rewrites the tree in place.
function core(node, chars, factory) {
  node.walkTree((n) => {
    if (n.isToken) {
      // only a variant the TeX asked for (MathJax also keeps the italic it infers for letters)
      const asked = n.attributes.getExplicit('mathvariant');
      const variant = TEX_VARIANTS[asked] ?? asked;
      const text = textOf(n);
      if (variant && variant !== 'normal' && STYLES[variant]) {
        const mapped = [...text].map((ch) => styled(ch, variant));
        if (mapped.every((ch) => ch !== null) && n.childNodes.length === 1) {
          n.childNodes[0].setText(mapped.join(''));
          n.attributes.unset('mathvariant');
          n.attributes.unset('data-mjx-variant');
        }
      }
      const shown = textOf(n);
      for (const ch of shown) chars.add(ch);
      // a single-letter <mi> is shown in italic (MathML Core's text-transform: math-auto)
      if (n.isKind('mi') && [...shown].length === 1 && !n.attributes.getExplicit('mathvariant')) {
        const italic = styled(shown, 'italic');
        if (italic) chars.add(italic);
      }
    }
    // MathML Core reads accent="true" only when it is written (no operator dictionary)
    for (const name of ['accent', 'accentunder']) {
      if ((n.isKind('mover') || n.isKind('munder') || n.isKind('munderover')) &&
          n.attributes.get(name) === true) n.attributes.set(name, 'true');
    }
    if (n.isKind('mtable')) tableStyles(n);
    const over = n.isKind('mover') || n.isKind('munderover');
    if (over && String(n.attributes.get('accent')) === 'true') {
      const mark = n.childNodes[n.isKind('mover') ? 1 : 2];
      const glyph = mark && mark.isKind('mo') && ACCENTS[textOf(mark)];
      if (glyph) mark.childNodes[0].setText(glyph);
    }
  });
  const primed = [];
  const functions = [];
  node.walkTree((n) => {
    if (n.isKind('msup') || n.isKind('msubsup')) primed.push(n);
    if (n.isKind('mi') || n.isKind('mo')) functions.push(n);
  });
  primed.forEach((n) => unraisePrime(n, factory));
  functions.forEach((n) => spaceFunction(n, factory));
  // \boxed and \fbox: MathML Core has no <menclose>; a box is a bordered <mrow>
  node.walkTree((n) => {
    if (!n.isKind('menclose') || !n.parent) return;
    const notation = String(n.attributes.get('notation') || '');
    const style = /\b(box|roundedbox)\b/.test(notation)
      ? 'border: 0.067em solid; padding: 0.2em 0.3em' : null;
    const row = factory.create('mrow', style ? {style} : {}, [...n.childNodes]);
    n.parent.replaceChild(row, n);
  });
}

// Attributes no browser reads (data-latex repeats the TeX on every node; texclass and variant
// are MathJax's own bookkeeping), and the serializer's indentation between elements.
function slim(mml) {
  return mml.replace(/ data-(latex(-item)?|mjx-[a-z-]+|break-align)="[^"]*"/g, '')
    .replace(/>\n\s*</g, '><');
}

const input = JSON.parse(await readStdin());
await MathJax.init({
  loader: {load: ['input/tex', 'ui/safe']},
  options: {safeOptions: SAFE},
  startup: {typeset: false},
  // Undefined macros are errors (noundefined would draw them in red), and every error throws, so
  // the build can name the expression instead of shipping a red box.
  tex: {
    packages: {'[+]': ['ams'], '[-]': ['noundefined']},
    formatError: (jax, err) => { throw err; },
  },
});

const STATE = MathJax._.core.MathItem.STATE;
const document = MathJax.startup.document;
const results = [];
for (const {tex, display} of input.exprs) {
  try {
    // TeX -> MathJax's internal MathML, filtered by ui/safe (STATE.CONVERT is where tex2mml stops)
    const root = await document.convertPromise(tex, {display, end: STATE.CONVERT, format: 'TeX'});
    const chars = new Set();
    core(root, chars, document.mmlFactory);
    let html = slim(MathJax.startup.toMML(root));
    // A display formula too wide for a phone scrolls sideways in its own box, which takes
    // keyboard focus so it can be scrolled without a pointer. The box is a <div>: tabindex on
    // <math> is MathML Core, but not in the HTML checkers' MathML (vnu), and a div scrolls the
    // same in every browser.
    if (display) html = `<div class="nn-math-block" tabindex="0">${html}</div>`;
    const refused = unsafe(html);
    if (refused) throw new Error(`refused: it would put ${refused} in the page`);
    results.push({html, chars: [...chars].sort().join('')});
  } catch (err) {
    results.push({error: String(err && err.message ? err.message : err).split('\n')[0]});
  }
}
process.stdout.write(JSON.stringify({version: MathJax.version, results}));
