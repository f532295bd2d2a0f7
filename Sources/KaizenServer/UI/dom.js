// What Kaizen's pages share: building elements (every text from the server goes in as a text node, never as HTML),
// the ready signal tests and benchmarks wait for, and the colour theme (the system's, or the one the user picked).
'use strict';

const KaizenDOM = (() => {
  function append(el, children) {
    for (const c of children.flat(Infinity)) {
      if (c === undefined || c === null || c === false) continue;
      el.append(c instanceof Node ? c : document.createTextNode(String(c)));
    }
    return el;
  }

  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
      else if (k === 'class') el.className = v;
      else if (k === 'style') el.style.cssText = v;
      else if (k === 'dataset') Object.assign(el.dataset, v);
      else if (k === 'value' || k === 'checked' || k === 'disabled' || k === 'selected' || k === 'hidden') el[k] = v;
      else el.setAttribute(k, v === true ? '' : String(v));
    }
    return append(el, children);
  }

  function fill(el, ...children) { el.replaceChildren(); return append(el, children); }

  function setReady(done) { document.body.dataset.ready = done ? '1' : '0'; }

  const themes = ['system', 'light', 'dark'];
  function applyTheme(theme) {
    if (theme === 'system') delete document.documentElement.dataset.theme; else document.documentElement.dataset.theme = theme;
  }
  applyTheme(localStorage.getItem('kaizen-theme') || 'system');

  // A button that goes system -> light -> dark, remembered in this browser.
  function themeToggle() {
    const current = () => localStorage.getItem('kaizen-theme') || 'system';
    const toggle = h('button', { id: 'theme-toggle', type: 'button', title: 'Colour theme', 'aria-label': 'Colour theme: ' + current() }, 'Theme: ' + current());
    toggle.addEventListener('click', () => {
      const next = themes[(themes.indexOf(current()) + 1) % themes.length];
      localStorage.setItem('kaizen-theme', next);
      applyTheme(next);
      toggle.textContent = 'Theme: ' + next;
      toggle.setAttribute('aria-label', 'Colour theme: ' + next);
    });
    return toggle;
  }

  return { h, fill, append, setReady, themeToggle };
})();
