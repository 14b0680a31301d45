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

// Unicode's math alphabets (Mathematical Alphanumeric Symbols). MathML Core draws only
// mathvariant="normal", so \mathbf{W} is written as the bold letter itself (U+1D416). Each style:
// its first capital (A), small letter (a), digit (d) and Greek capital (G), null where it has none.
const STYLES = {
  'bold': {A: 0x1D400, a: 0x1D41A, d: 0x1D7CE, G: 0x1D6A8},
  'italic': {A: 0x1D434, a: 0x1D44E, d: null, G: 0x1D6E2},
  'bold-italic': {A: 0x1D468, a: 0x1D482, d: null, G: 0x1D71C},
  'script': {A: 0x1D49C, a: 0x1D4B6, d: null, G: null},
  'bold-script': {A: 0x1D4D0, a: 0x1D4EA, d: null, G: null},
  'fraktur': {A: 0x1D504, a: 0x1D51E, d: null, G: null},
  'double-struck': {A: 0x1D538, a: 0x1D552, d: 0x1D7D8, G: null},
  'bold-fraktur': {A: 0x1D56C, a: 0x1D586, d: null, G: null},
  'sans-serif': {A: 0x1D5A0, a: 0x1D5BA, d: 0x1D7E2, G: null},
  'bold-sans-serif': {A: 0x1D5D4, a: 0x1D5EE, d: 0x1D7EC, G: 0x1D756},
  'sans-serif-italic': {A: 0x1D608, a: 0x1D622, d: null, G: null},
  'sans-serif-bold-italic': {A: 0x1D63C, a: 0x1D656, d: null, G: 0x1D790},
  'monospace': {A: 0x1D670, a: 0x1D68A, d: 0x1D7F6, G: null},
};
// A Greek alphabet's 58 places: capitals U+0391-03A9 at 0-24 (U+03A2, which is unassigned, is
// where capital theta's symbol form goes), nabla at 25, small letters U+03B1-03C9 at 26-50, then
// the symbol forms of partial, epsilon, theta, kappa, phi, rho and pi.
const GREEK_PLACES = {
  0x3F4: 17, 0x2207: 25, 0x2202: 51, 0x3F5: 52, 0x3D1: 53, 0x3F0: 54, 0x3D5: 55, 0x3F1: 56,
  0x3D6: 57,
};
const DOTLESS_ITALIC = {0x131: 0x1D6A4, 0x237: 0x1D6A5};
// MathJax's names for TeX's own alphabets, as the nearest Unicode style
const TEX_VARIANTS = {
  '-tex-calligraphic': 'script', '-tex-bold-calligraphic': 'bold-script',
  '-tex-mathit': 'italic', '-tex-oldstyle': 'normal', '-tex-bold-oldstyle': 'bold',
};
// Letters Unicode had encoded before the block, which leaves their places empty (script B is
// U+212C, not U+1D49D).
const HOLES = {
  0x1D455: 0x210E, 0x1D49D: 0x212C, 0x1D4A0: 0x2130, 0x1D4A1: 0x2131, 0x1D4A3: 0x210B,
  0x1D4A4: 0x2110, 0x1D4A7: 0x2112, 0x1D4A8: 0x2133, 0x1D4AD: 0x211B, 0x1D4BA: 0x212F,
  0x1D4BC: 0x210A, 0x1D4C4: 0x2134, 0x1D506: 0x212D, 0x1D50B: 0x210C, 0x1D50C: 0x2111,
  0x1D515: 0x211C, 0x1D51D: 0x2128, 0x1D53A: 0x2102, 0x1D53F: 0x210D, 0x1D545: 0x2115,
  0x1D547: 0x2119, 0x1D548: 0x211A, 0x1D549: 0x211D, 0x1D551: 0x2124,
};
// \text in another face: CSS, so its words stay words for search and copying
const TEXT_STYLES = {
  'bold': 'font-weight: bold', 'italic': 'font-style: italic',
  'bold-italic': 'font-weight: bold; font-style: italic', 'monospace': 'font-family: monospace',
  'sans-serif': 'font-family: sans-serif',
  'bold-sans-serif': 'font-family: sans-serif; font-weight: bold',
  'sans-serif-italic': 'font-family: sans-serif; font-style: italic',
  'sans-serif-bold-italic': 'font-family: sans-serif; font-weight: bold; font-style: italic',
};

// The character `ch` in `style`, or null when the style has no such character. With 'italic'
// it is also what MathML Core shows a single-letter <mi> as (text-transform: math-auto).
function styled(ch, style) {
  const s = STYLES[style];
  const c = ch.codePointAt(0);
  let at = null;
  if (!s) return null;
  if (c >= 0x41 && c <= 0x5A) at = s.A + c - 0x41;
  else if (c >= 0x61 && c <= 0x7A) at = s.a + c - 0x61;
  else if (c >= 0x30 && c <= 0x39) at = s.d === null ? null : s.d + c - 0x30;
  else if (s.G === null) at = null;
  else if (c >= 0x391 && c <= 0x3A9 && c !== 0x3A2) at = s.G + c - 0x391;
  else if (c >= 0x3B1 && c <= 0x3C9) at = s.G + 26 + c - 0x3B1;
  else if (c in GREEK_PLACES) at = s.G + GREEK_PLACES[c];
  else if (style === 'italic' && c in DOTLESS_ITALIC) at = DOTLESS_ITALIC[c];
  return at === null ? null : String.fromCodePoint(HOLES[at] ?? at);
}

function textOf(token) {
  return token.childNodes.map((c) => (c.isKind('text') ? c.getText() : '')).join('');
}

function addStyle(node, css) {
  const own = node.attributes.getExplicit('style');
  node.attributes.set('style', own ? `${String(own).replace(/;?\s*$/, '; ')}${css}` : css);
}

// A token in the face its mathvariant names: letters as their math-alphabet characters, \text
// by CSS. What has no styled form keeps its character; if it is a single letter of an upright
// face, mathvariant="normal" keeps MathML Core from italicising it.
function restyle(n) {
  const asked = n.attributes.getExplicit('mathvariant');
  const variant = TEX_VARIANTS[asked] ?? asked;
  if (!variant || variant === 'normal') return;
  if (n.isKind('mtext') && TEXT_STYLES[variant]) {
    addStyle(n, TEXT_STYLES[variant]);
    n.attributes.unset('mathvariant');
    return;
  }
  if (!STYLES[variant] || n.childNodes.length !== 1 || !n.childNodes[0].isKind('text')) return;
  const chars = [...textOf(n)];
  const mapped = chars.map((ch) => styled(ch, variant));
  n.childNodes[0].setText(chars.map((ch, i) => mapped[i] ?? ch).join(''));
  if (mapped.every((ch) => ch !== null) || variant.includes('italic')) {
    n.attributes.unset('mathvariant');
  } else {
    n.attributes.set('mathvariant', 'normal');
  }
}

// An <mtable>'s attribute list ("right left", "0em 2em") as the value for column or row i.
function nth(list, i) {
  const items = String(list).trim().split(/\s+/);
  return items[Math.min(i, items.length - 1)];
}

const RULE = '0.067em';
function half(v) {
  const m = /^(-?[\d.]+)([a-z%]*)$/.exec(v);
  if (!m) return `calc(${v} / 2)`;
  return m[1] === '0' || +m[1] === 0 ? '0' : `${+(m[1] / 2).toFixed(3)}${m[2] || 'em'}`;
}

// \tag: MathJax writes the row as <mlabeledtr> with the label as its first cell, which MathML
// Core does not know (the label would be drawn as the first column): the label becomes the
// row's last cell, set off to the right.
function unlabel(row, factory) {
  const [label, ...cells] = row.childNodes;
  label.attributes.set('columnalign', 'right');
  const plain = factory.create('mtr', {}, [...cells, label]);
  plain.label = label;
  row.parent.replaceChild(plain, row);
  return plain;
}

// MathML Core lays a table out as CSS does, with the same padding round every cell; TeX's
// alignments (aligned, bmatrix, cases, array) set their columns' alignment, the space between
// columns and rows, and rules. Each cell gets its column's `columnalign` (Firefox reads it;
// nn-math.css turns it into the text-align Chromium and Safari read), its share of the spacing
// as padding, and the rules beside it as borders.
function tableStyles(table, factory) {
  const attr = table.attributes;
  const align = attr.get('columnalign') || 'center';
  const colSpace = attr.get('columnspacing') || '0.8em';
  const rowSpace = attr.get('rowspacing') || '1ex';
  const colLines = attr.get('columnlines') || 'none';
  const rowLines = attr.get('rowlines') || 'none';
  const frame = String(attr.get('frame') || 'none');
  const rows = table.childNodes
    .map((r) => (r.isKind('mlabeledtr') ? unlabel(r, factory) : r))
    .filter((r) => r.isKind('mtr'));
  rows.forEach((row, r) => {
    const cells = row.childNodes.filter((c) => c.isKind('mtd') && c !== row.label);
    cells.forEach((cell, c) => {
      const left = c === 0 ? '0' : half(nth(colSpace, c - 1));
      const right = c === cells.length - 1 ? '0' : half(nth(colSpace, c));
      const top = r === 0 ? '0' : half(nth(rowSpace, r - 1));
      const bottom = r === rows.length - 1 ? '0' : half(nth(rowSpace, r));
      const side = cell.attributes.getExplicit('columnalign') ||
        row.attributes.getExplicit('columnalign') || nth(align, c);
      if (side !== 'center') cell.attributes.set('columnalign', side);
      const css = [`padding: ${top} ${right} ${bottom} ${left}`];
      const vline = c < cells.length - 1 ? nth(colLines, c) : 'none';
      const hline = r < rows.length - 1 ? nth(rowLines, r) : 'none';
      if (vline !== 'none') css.push(`border-right: ${RULE} ${vline}`);
      if (hline !== 'none') css.push(`border-bottom: ${RULE} ${hline}`);
      addStyle(cell, css.join('; '));
    });
    if (row.label) addStyle(row.label, 'padding: 0 0 0 2em');
  });
  if (frame !== 'none') addStyle(table, `border: ${RULE} ${frame}`);
  for (const name of ['columnalign', 'columnspacing', 'rowspacing', 'columnlines', 'rowlines',
    'frame', 'framespacing']) {
    if (attr.isSet(name)) attr.unset(name);
  }
}

// Over and under a letter. \hat and \tilde keep their size (MathJax marks them
// stretchy="false"): the modifier letters, which a math font places over a letter (ASCII ^ and
// ~, which MathJax writes, sit high and small). \widehat, \widetilde, \overline, \underline: the
// characters whose MATH-table forms widen to what is under or over them. (\vec keeps its
// full-size arrow: the combining one, U+20D7, was drawn before the letter, not over it.)
function accentGlyph(mark, over) {
  const text = textOf(mark);
  const fixed = String(mark.attributes.get('stretchy')) === 'false';
  if (text === '^' || text === '\u02C6') return fixed ? '\u02C6' : '\u0302';
  if (text === '~' || text === '\u02DC') return fixed ? '\u02DC' : '\u0303';
  if (text === '\u2015' || text === '\u00AF') return over ? '\u203E' : '_';
  return null;
}

// f' is <msup>f<mo>′</mo></msup> in TeX's MathML; a math font's prime is already raised, so
// MathML Core would raise it twice (Firefox knows; Chromium does not): the prime follows its
// base, and what else was in the superscript (x'^2) stays one.
const PRIMES = new Set(['\u2032', '\u2033', '\u2034', '\u2057']);
const isPrime = (n) => n && (n.isKind('mo') || n.isKind('mi')) && PRIMES.has(textOf(n));
function unraisePrime(n, factory) {
  const at = n.isKind('msup') ? 1 : n.isKind('msubsup') ? 2 : -1;
  const sup = n.childNodes[at];
  if (at < 0 || !sup || !n.parent) return;
  // a braced superscript (^{\prime}) is a TeXAtom around an inferred <mrow>
  const inner = sup.isKind('TeXAtom') ? sup.childNodes[0] : sup;
  let primes;
  let rest;
  if (isPrime(sup)) {
    [primes, rest] = [[sup], []];
  } else if (inner.isKind('mrow') && isPrime(inner.childNodes[0])) {
    const kids = inner.childNodes;
    const count = kids.findIndex((k) => !isPrime(k));
    [primes, rest] = count < 0 ? [kids, []] : [kids.slice(0, count), kids.slice(count)];
  } else {
    return;
  }
  const base = factory.create('mrow', {}, [n.childNodes[0], ...primes]);
  const sub = at === 2 ? n.childNodes[1] : null;
  const high = rest.length ? factory.create('mrow', {}, rest) : null;
  const kind = sub ? (high ? 'msubsup' : 'msub') : (high ? 'msup' : null);
  const replaced = kind ? factory.create(kind, {}, [base, sub, high].filter(Boolean)) : base;
  n.parent.replaceChild(replaced, n);
}

// \log, \max, \operatorname{softmax}: TeX puts a thin space round a function's name (none
// before an opening bracket). MathJax writes the name as an <mi> followed by U+2061 (function
// application), or as an <mo> (\max, whose limits move); MathML Core spaces neither as TeX does
// (the <mi> not at all, the unknown <mo> by 0.28 em on each side), so the spaces are written out.
// The name with its scripts (\log_2, \max_i) is what stands in the row.
const THIN = '0.167em';
const TEXCLASS = MathJax._.core.MmlTree.MmlNode.TEXCLASS;
const OPENING = /^[([{\u27E8|\u2016\u2308\u230A]$/;
const SCRIPTED = ['msub', 'msup', 'msubsup', 'munder', 'mover', 'munderover'];
function spaceFunction(n, factory) {
  if ([...textOf(n)].length < 2 || n.texClass !== TEXCLASS.OP) return;
  let unit = n;
  while (unit.parent && SCRIPTED.some((k) => unit.parent.isKind(k)) &&
         unit.parent.childNodes[0] === unit) unit = unit.parent;
  const row = unit.parent;
  if (!row || !row.isKind('mrow')) return;
  const kids = row.childNodes;
  const i = kids.indexOf(unit);
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
  if (apply) apply.attributes.set('rspace', spaceAfter ? THIN : '0');
}

// \boxed, \fbox, \cancel, \bcancel, \xcancel, \enclose{...}: MathML Core has no <menclose>; the
// notations become CSS on an <mrow> (borders, and the strikes as gradients).
const STRIKE = (to) => `linear-gradient(${to}, transparent calc(50% - 0.04em), currentColor ` +
  'calc(50% - 0.04em), currentColor calc(50% + 0.04em), transparent calc(50% + 0.04em))';
const ENCLOSE = {
  box: {border: `border: ${RULE} solid`, pad: true},
  roundedbox: {border: `border: ${RULE} solid; border-radius: 0.3em`, pad: true},
  circle: {border: `border: ${RULE} solid; border-radius: 50%`, pad: true},
  top: {border: `border-top: ${RULE} solid`}, bottom: {border: `border-bottom: ${RULE} solid`},
  left: {border: `border-left: ${RULE} solid`}, right: {border: `border-right: ${RULE} solid`},
  actuarial: {border: `border-top: ${RULE} solid; border-right: ${RULE} solid`},
  updiagonalstrike: {strike: STRIKE('to top right')},
  downdiagonalstrike: {strike: STRIKE('to bottom right')},
  horizontalstrike: {strike: STRIKE('to bottom')},
  verticalstrike: {strike: STRIKE('to right')},
};
function unenclose(n, factory) {
  const notes = String(n.attributes.get('notation') || '').trim().split(/\s+/)
    .map((name) => ENCLOSE[name]).filter(Boolean);
  const css = notes.filter((e) => e.border).map((e) => e.border);
  const strikes = notes.filter((e) => e.strike).map((e) => e.strike);
  if (strikes.length) css.push(`background: ${strikes.join(', ')}`);
  if (notes.some((e) => e.pad)) css.push('padding: 0.2em 0.3em');
  const row = factory.create('mrow', css.length ? {style: css.join('; ')} : {}, [...n.childNodes]);
  n.parent.replaceChild(row, n);
}

// Adds to `chars` what the font needs for `node`, and rewrites the tree in place.
function core(node, chars, factory) {
  const tables = [];
  const primed = [];
  const functions = [];
  const enclosed = [];
  node.walkTree((n) => {
    if (n.isToken) {
      restyle(n);
      const shown = textOf(n);
      for (const ch of shown) chars.add(ch);
      // a single-letter <mi> is shown in italic (MathML Core's text-transform: math-auto)
      const upright = n.attributes.getExplicit('mathvariant') === 'normal';
      if (n.isKind('mi') && [...shown].length === 1 && !upright) {
        const italic = styled(shown, 'italic');
        if (italic) chars.add(italic);
      }
      if (n.isKind('mi') || n.isKind('mo')) functions.push(n);
    }
    // the radical sign the browser draws itself, from the math font only
    if (n.isKind('msqrt') || n.isKind('mroot')) chars.add('\u221A');
    // MathML Core reads accent="true" only when it is written (no operator dictionary)
    const over = n.isKind('mover') || n.isKind('munderover');
    const under = n.isKind('munder') || n.isKind('munderover');
    if (over && n.attributes.get('accent') === true) {
      n.attributes.set('accent', 'true');
      const mark = n.childNodes[n.isKind('mover') ? 1 : 2];
      const glyph = mark && mark.isKind('mo') && accentGlyph(mark, true);
      if (glyph) mark.childNodes[0].setText(glyph);
    }
    if (under && n.attributes.get('accentunder') === true) {
      n.attributes.set('accentunder', 'true');
      const mark = n.childNodes[1];
      const glyph = mark && mark.isKind('mo') && accentGlyph(mark, false);
      if (glyph) mark.childNodes[0].setText(glyph);
    }
    if (n.isKind('mtable')) tables.push(n);
    if (n.isKind('msup') || n.isKind('msubsup')) primed.push(n);
    if (n.isKind('menclose') && n.parent) enclosed.push(n);
  });
  tables.forEach((n) => tableStyles(n, factory));
  primed.forEach((n) => unraisePrime(n, factory));
  functions.forEach((n) => spaceFunction(n, factory));
  enclosed.forEach((n) => unenclose(n, factory));
}

// Macros do not carry from one formula to another (each is typeset and cached on its own), so
// a definition would work or fail depending on what else was typeset in the same run.
const DEFINES = /\\(def|gdef|edef|xdef|let|newcommand|renewcommand|providecommand|DeclareMathOperator|newenvironment|renewenvironment)(?![a-zA-Z])/;

// Attributes no browser reads (MathJax's data-*: data-latex repeats the TeX on every node, the
// rest is its own bookkeeping), and the serializer's indentation between elements.
function slim(mml) {
  return mml.replace(/ data-[\w-]+="[^"]*"/g, '')
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
    const defines = DEFINES.exec(tex);
    if (defines) {
      throw new Error(`\\${defines[1]}: a macro defined in one formula does not reach the ` +
        'others (each is typeset on its own); write it out');
    }
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
