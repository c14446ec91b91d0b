// What a reader would see broken on the page as it is laid out now, as plain data for the test to assert on:
// anything reaching past the page's edges or out of its container, content cut by a box that hides it, text laid
// out one or two characters per line, Latin words broken across lines in headings and table headers, and chart
// labels cut by their chart.
(() => {
  const LIMIT = 12;
  const HEADINGS = 'th, h1, h2, h3, h4, caption, figcaption, legend';
  const root = document.documentElement;
  const pageWidth = root.clientWidth;
  const found = {
    scroll_width: root.scrollWidth, client_width: pageWidth, outside_page: [], outside_container: [], clipped: [],
    one_character_lines: [], broken_words: [], cut_chart_labels: [],
  };
  const add = (list, text) => { if (list.length < LIMIT) list.push(text); };
  const name = (el) => {
    const classes = el.getAttribute('class');
    const text = (el.textContent || '').trim().replace(/\s+/g, ' ');
    return `<${el.tagName.toLowerCase()}${classes ? ` class="${classes}"` : ''}> "${text.slice(0, 50)}"`;
  };
  const outside = (box) => box.right > pageWidth + 0.5 || box.left < -0.5;
  const px = (value) => parseFloat(value) || 0;
  const contentRight = (el) => {
    const style = getComputedStyle(el);
    return el.getBoundingClientRect().right - px(style.borderRightWidth) - px(style.paddingRight);
  };

  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('svg') && el.tagName.toLowerCase() !== 'svg') continue;
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) continue;
    const style = getComputedStyle(el);
    if (outside(box) && !(el.parentElement && outside(el.parentElement.getBoundingClientRect()))) {
      add(found.outside_page, `${name(el)} spans ${Math.round(box.left)} to ${Math.round(box.right)} px of ${pageWidth}`);
    }
    if (el.tagName.toLowerCase() !== 'svg' && style.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1) {
      add(found.clipped, `${name(el)} shows ${el.clientWidth} of its ${el.scrollWidth} px`);
    }
    const parent = el.parentElement;
    const placed = style.position === 'absolute' || style.position === 'fixed';
    if (parent && parent !== document.body && !placed && box.right > contentRight(parent) + 1) {
      add(found.outside_container,
          `${name(el)} ends at ${Math.round(box.right)} px, past its container ${name(parent)} at ${Math.round(contentRight(parent))}`);
    }
  }

  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  const lineTops = () => new Set([...range.getClientRects()].filter((r) => r.width > 0).map((r) => Math.round(r.top)));
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const host = node.parentElement;
    if (!host || host.closest('svg, style, script, title')) continue;
    const characters = [...node.data.replace(/\s+/g, '')].length;
    if (characters >= 3) {
      range.selectNodeContents(node);
      const lines = lineTops().size;
      if (lines >= 3 && characters / lines <= 2) {
        add(found.one_character_lines, `${name(host)}: ${characters} characters on ${lines} lines`);
      }
    }
    if (!host.closest(HEADINGS)) continue;
    for (const word of node.data.matchAll(/[A-Za-zÀ-ÖØ-öø-ÿ]{2,}/g)) {
      range.setStart(node, word.index);
      range.setEnd(node, word.index + word[0].length);
      if (lineTops().size > 1) add(found.broken_words, `${name(host)}: "${word[0]}" is broken across lines`);
    }
  }

  for (const svg of document.querySelectorAll('svg')) {
    const frame = svg.getBoundingClientRect();
    for (const label of svg.querySelectorAll('text')) {
      const box = label.getBoundingClientRect();
      if (box.width === 0) continue;
      if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1
          || box.bottom > frame.bottom + 1) {
        add(found.cut_chart_labels, `"${label.textContent.trim()}" reaches past its chart`);
      }
    }
  }
  return found;
})()
