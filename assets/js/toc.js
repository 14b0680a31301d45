// The table of contents: beside the text on a wide screen; folded on a narrow one, where it
// would push the text down. Loaded right after the <details> it folds (a classic script, not
// deferred: it runs before the text below is laid out, so nothing moves), and from a file, not
// inline, so the Content-Security-Policy can say script-src 'self' (issue 20).
const toc = document.currentScript?.previousElementSibling;
if (toc && matchMedia("(max-width: 61.99em)").matches) toc.open = false;
