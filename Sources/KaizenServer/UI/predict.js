// The prediction form of `kaizen models serve`: built from what the model takes (GET /kaizen/model), prefilled from
// its serving input example, it posts to /invocations and shows the answer as received, the request it sent and the
// same request as a curl command. Every text from the server is put in the page as text, never as HTML.
'use strict';

(() => {
  const app = document.getElementById('app');

  const { h, setReady, themeToggle } = KaizenDOM;

  // ---- JSON text ----

  // A number kept as the text it will be sent as, so a long past 2^53 or a typed 1.50 goes out unchanged.
  class Raw { constructor(text) { this.text = text; } }
  function toJSON(v) {
    if (v instanceof Raw) return v.text;
    if (Array.isArray(v)) return '[' + v.map(toJSON).join(',') + ']';
    if (v !== null && typeof v === 'object') return '{' + Object.entries(v).map(([k, x]) => JSON.stringify(k) + ':' + toJSON(x)).join(',') + '}';
    return JSON.stringify(v);
  }
  // Re-spaces JSON text without parsing it, so numbers keep their digits: indent 0 is compact; with an indent, a short
  // list of plain values stays on one line.
  function respace(text, indent) {
    let out = '', depth = 0, flatEnd = -1;
    const pad = () => (indent ? '\n' + ' '.repeat(indent * depth) : '');
    const stringEnd = (i) => { let j = i + 1; while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1; return j; };
    const listEnd = (i) => {
      for (let j = i + 1; j < text.length && j - i <= 100; j++) {
        if (text[j] === '"') j = stringEnd(j);
        else if (text[j] === '[' || text[j] === '{') return -1;
        else if (text[j] === ']') return j;
      }
      return -1;
    };
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c === '"') {
        const j = stringEnd(i);
        out += text.slice(i, j + 1);
        i = j;
      } else if (c === '{' || c === '[') {
        let j = i + 1;
        while (/\s/.test(text[j] || '')) j++;
        if (text[j] === (c === '{' ? '}' : ']')) { out += c + text[j]; i = j; continue; }
        if (indent && c === '[') flatEnd = listEnd(i);
        if (flatEnd > i) { out += c; continue; }
        depth++;
        out += c + pad();
      } else if (c === '}' || c === ']') {
        if (i === flatEnd) { out += c; continue; }
        depth--;
        out += pad() + c;
      } else if (c === ',') out += flatEnd > i ? ', ' : ',' + pad();
      else if (c === ':') out += indent ? ': ' : ':';
      else if (!/\s/.test(c)) out += c;
    }
    return out;
  }
  function shellQuote(s) { return "'" + s.replace(/'/g, "'\\''") + "'"; }

  // ---- Cells: one control per MLflow column type, its text read back as the JSON value sent ----

  const RANGES = { integer: [-(2n ** 31n), 2n ** 31n - 1n], long: [-(2n ** 63n), 2n ** 63n - 1n] };
  const JSON_NUMBER = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/;

  function control(type, required, label) {
    if (type === 'boolean') {
      return h('select', { 'aria-label': label },
        required ? null : h('option', { value: '' }, '(missing)'), h('option', { value: 'true' }, 'true'), h('option', { value: 'false' }, 'false'));
    }
    if (type === 'datetime') return h('input', { type: 'datetime-local', step: '1', 'aria-label': label });
    const mode = { integer: 'numeric', long: 'numeric', float: 'decimal', double: 'decimal' }[type];
    const hint = { binary: 'base64', integer: 'integer', long: 'integer', float: 'number', double: 'number' }[type];
    const placeholder = required ? hint : `${hint ? hint + ', ' : ''}optional`;
    return h('input', { type: 'text', inputmode: mode, placeholder, spellcheck: 'false', autocomplete: 'off', 'aria-label': label });
  }

  // The text a control shows for a value of the example.
  function display(type, value) {
    if (value === null || value === undefined) return '';
    if (type === 'datetime') {
      const text = String(value).replace(' ', 'T').replace(/(\.\d+)?(Z|[+-]\d\d:\d\d)?$/, '');
      return /^\d{4}-\d\d-\d\d$/.test(text) ? text + 'T00:00:00' : text;
    }
    return typeof value === 'string' ? value : JSON.stringify(value);
  }

  // {value} to send, {missing} for an empty optional cell, or {error} with the text sent when checks are off.
  function parseCell(type, required, raw) {
    const text = type === 'string' ? raw : raw.trim();
    if (text === '' && !(type === 'string' && required)) return required ? { error: 'A value is required', fallback: null } : { missing: true };
    const refuse = (why) => ({ error: why, fallback: text });
    switch (type) {
      case 'integer': case 'long': {
        if (!/^[+-]?\d+$/.test(text)) return refuse(`'${text}' is not an integer`);
        const n = BigInt(text);
        if (n < RANGES[type][0] || n > RANGES[type][1]) return refuse(`${text} does not fit in a ${type === 'long' ? '64' : '32'}-bit integer`);
        return { value: new Raw(n.toString()) };
      }
      case 'float': case 'double': {
        const n = Number(text);
        if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text) || !Number.isFinite(n)) return refuse(`'${text}' is not a number`);
        if (type === 'float' && Math.abs(n) > 3.4028234663852886e38) return refuse(`${text} is too large for a float32`);
        return { value: new Raw(JSON_NUMBER.test(text) ? text : JSON.stringify(n)) };
      }
      case 'boolean': return { value: text === 'true' };
      case 'datetime': return { value: /T\d\d:\d\d$/.test(text) ? text + ':00' : text };
      case 'binary': return /^[A-Za-z0-9+/]*={0,2}$/.test(text.replace(/\s/g, '')) ? { value: text } : refuse('Not base64 text');
      default: return { value: raw };
    }
  }

  function cellError(cell, message) {
    cell.input.setAttribute('aria-invalid', 'true');
    cell.error.textContent = message;
  }

  // The columns or inputs a server error names: MLflow's and Kaizen's messages.
  function namedInMessage(message) {
    const names = [];
    for (const re of [/Failed to convert column (.+?) to type '/, /[Ii]ncompatible input types for column (.+?)\. /, /for (?:column|input) '([^']+)'/, /input '([^']+)'/]) {
      const m = re.exec(message);
      if (m) names.push(m[1]);
    }
    const missing = /missing inputs \[([^\]]*)\]/.exec(message);
    if (missing) for (const q of missing[1].matchAll(/'([^']*)'/g)) names.push(q[1]);
    return names;
  }

  // ---- The page ----

  async function start() {
    setReady(false);
    const header = h('header', { class: 'top' }, h('span', { class: 'brand' }, 'Kaizen'), h('span', { class: 'muted pf-spacer' }, 'model server'), themeToggle());
    const main = h('main', { id: 'main' });
    app.replaceChildren(header, main);
    let model;
    for (;;) {
      const response = await fetch('/kaizen/model').catch(() => null);
      if (response && response.ok) { model = await response.json(); break; }
      if (response && response.status !== 503) {
        main.replaceChildren(h('div', { class: 'error', role: 'alert' }, `GET /kaizen/model answered ${response.status}: `, await response.text()));
        return setReady(true);
      }
      main.replaceChildren(h('p', { class: 'muted', role: 'status' }, 'The model is loading…'));
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    document.title = `${model.name} · Kaizen`;
    main.replaceChildren(...page(model));
    setReady(true);
  }

  function page(model) {
    const inputs = model.inputs || [];
    const columns = model.from_signature && inputs.length && inputs.every((i) => i.type !== 'tensor')
      ? inputs.map((c, i) => ({ name: c.name === undefined ? String(i) : c.name, type: c.type, required: c.required !== false }))
      : null;
    const example = model.serving_input_example || null;
    const form = h('form', { id: 'predict-form', novalidate: true });
    const fields = columns ? columnFields(columns, example) : jsonField(inputs, model.params || [], example);
    const params = columns ? paramFields(model.params || [], example) : null;
    const check = h('input', { type: 'checkbox', id: 'check-fields', checked: true });
    const status = h('span', { id: 'form-status', role: 'status' });
    form.append(fields.element, params ? params.element : '',
      h('div', { class: 'toolbar' },
        h('button', { class: 'primary', type: 'submit', id: 'predict' }, 'Predict'),
        h('label', null, check, ' Check fields before sending'), status));
    const result = results();
    form.addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); form.requestSubmit(); } });
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      status.textContent = '';
      status.className = '';
      const body = fields.request(check.checked, params);
      if (body === null) {
        status.textContent = 'Fix the marked fields, or untick the checks to let the server judge.';
        status.className = 'error';
        return;
      }
      setReady(false);
      await send(body, result, (message) => fields.serverError(message));
      setReady(true);
    });
    const version = model.version ? ` version ${model.version}` : '';
    const source = columns ? `${columns.length} column${columns.length === 1 ? '' : 's'} from the model's signature`
      : model.from_signature ? 'tensor inputs from the model\'s signature' : 'no signature: the inputs of the model file';
    return [
      h('h1', null, model.name, h('span', { class: 'muted' }, version)),
      h('p', { class: 'muted' }, `POST /invocations · ${source}`, example ? ' · prefilled from its serving input example' : ''),
      form, result.element,
    ];
  }

  function columnFields(columns, example) {
    const tbody = h('tbody');
    const rows = [];
    let errorIds = 0;
    const label = (c) => `${c.name} (${c.type}${c.required ? '' : ', optional'})`;
    function addRow(values) {
      const tr = h('tr');
      const row = { tr, cells: [] };
      columns.forEach((c, i) => {
        const input = control(c.type, c.required, `${label(c)}, row ${rows.length + 1}`);
        const error = h('span', { class: 'field-error', role: 'alert' });
        error.id = `cell-error-${++errorIds}`;
        input.setAttribute('aria-describedby', error.id);
        input.dataset.column = c.name;
        input.value = display(c.type, values ? values[i] : undefined);
        if (c.type === 'boolean' && c.required && !input.value) input.value = 'false';
        row.cells.push({ input, error });
        tr.append(h('td', { 'data-label': label(c) }, h('div', null, input, error)));
      });
      const remove = h('button', { type: 'button', class: 'danger' }, 'Remove');
      remove.addEventListener('click', () => {
        if (rows.length === 1) return;
        rows.splice(rows.indexOf(row), 1);
        tr.remove();
        renumber();
        add.focus();
      });
      tr.append(h('td', { class: 'actions' }, remove));
      rows.push(row);
      tbody.append(tr);
      renumber();
      return row;
    }
    function renumber() {
      rows.forEach((row, r) => {
        row.cells.forEach((cell, i) => cell.input.setAttribute('aria-label', `${label(columns[i])}, row ${r + 1}`));
        row.tr.lastChild.dataset.label = `Row ${r + 1}`;
        row.tr.lastChild.firstChild.setAttribute('aria-label', `Remove row ${r + 1}`);
        row.tr.lastChild.firstChild.disabled = rows.length === 1;
      });
    }
    function reset() {
      rows.splice(0).forEach((row) => row.tr.remove());
      const table = exampleRows(example, columns.map((c) => c.name));
      for (const values of table.length ? table : [null]) addRow(values);
    }
    reset();
    const add = h('button', { type: 'button', id: 'add-row' }, 'Add row');
    add.addEventListener('click', () => addRow(null).cells[0].input.focus());
    const again = example ? h('button', { type: 'button', id: 'reset-example' }, 'Reset to the example') : null;
    if (again) again.addEventListener('click', reset);
    const element = h('div', null,
      h('div', { class: 'pf-rows-box' }, h('table', { class: 'grid pf-rows' },
        h('thead', null, h('tr', null, columns.map((c) => h('th', { scope: 'col' }, c.name, h('span', { class: 'muted' }, c.type + (c.required ? '' : ' · optional')))),
          h('th', { scope: 'col' }, h('span', { class: 'sr-only' }, 'Row')))),
        tbody)),
      h('div', { class: 'toolbar' }, add, again));

    function clear() {
      for (const row of rows) for (const cell of row.cells) { cell.input.removeAttribute('aria-invalid'); cell.error.textContent = ''; }
    }
    // The request as dataframe_split; an optional column empty in every row is left out, empty in some rows it is null.
    function request(check, params) {
      clear();
      const parsed = rows.map((row) => row.cells.map((cell, i) => parseCell(columns[i].type, columns[i].required, cell.input.value)));
      let bad = null;
      parsed.forEach((cells, r) => cells.forEach((p, i) => {
        if (p.error && check) { cellError(rows[r].cells[i], p.error); bad = bad || rows[r].cells[i].input; }
      }));
      const extra = params.read(check);
      if (bad || extra === null) { (bad || params.firstInvalid()).focus(); return null; }
      const used = columns.map((_, i) => parsed.some((cells) => !cells[i].missing));
      const body = {
        dataframe_split: {
          columns: columns.filter((_, i) => used[i]).map((c) => c.name),
          data: parsed.map((cells) => cells.filter((_, i) => used[i]).map((p) => (p.missing ? null : p.error ? p.fallback : p.value))),
        },
      };
      if (extra) body.params = extra;
      return toJSON(body);
    }
    function serverError(message) {
      const names = namedInMessage(message).filter((n) => columns.some((c) => c.name === n));
      const shown = /value "((?:[^"\\]|\\.)*)"/.exec(message) || /value (\S+?):/.exec(message);
      for (const name of names) {
        const i = columns.findIndex((c) => c.name === name);
        const matching = rows.filter((row) => shown && row.cells[i].input.value.trim() === shown[1]);
        for (const row of matching.length ? matching : rows.slice(0, 1)) cellError(row.cells[i], message);
      }
      return names.length > 0;
    }
    return { element, request, serverError };
  }

  // The example's rows as values in `names` order: dataframe_split, dataframe_records, or inputs/instances as records,
  // rows of cells in column order, or a dict of columns.
  function exampleRows(example, names) {
    if (!example || typeof example !== 'object') return [];
    const split = example.dataframe_split;
    if (split && Array.isArray(split.data)) {
      const cols = split.columns || (split.data[0] || []).map((_, i) => String(i));
      return split.data.map((row) => names.map((n) => (cols.indexOf(n) < 0 ? undefined : (Array.isArray(row) ? row : [row])[cols.indexOf(n)])));
    }
    const records = example.dataframe_records || example.inputs || example.instances;
    if (Array.isArray(records)) {
      return records.filter((r) => r && typeof r === 'object').map((r) => names.map((n, i) => (Array.isArray(r) ? r[i] : r[n])));
    }
    if (records && typeof records === 'object') {
      const length = Math.max(0, ...Object.values(records).map((v) => (Array.isArray(v) ? v.length : 1)));
      return Array.from({ length }, (_, r) => names.map((n) => (Array.isArray(records[n]) ? records[n][r] : records[n])));
    }
    return [];
  }

  function paramFields(params, example) {
    const given = (example && example.params) || {};
    const items = params.map((p) => {
      const list = Array.isArray(p.shape);
      const type = list ? 'json' : p.type;
      const input = type === 'json' ? h('input', { type: 'text', spellcheck: 'false', 'aria-label': p.name }) : control(p.type, false, p.name);
      input.placeholder = `default: ${JSON.stringify(p.default)}`;
      input.value = given[p.name] === undefined ? '' : type === 'json' ? JSON.stringify(given[p.name]) : display(p.type, given[p.name]);
      return { p, type, input, error: h('span', { class: 'field-error', role: 'alert' }) };
    });
    const element = items.length ? h('div', { class: 'pf-params' }, h('h2', null, 'Parameters'),
      h('div', { class: 'form-grid' }, items.map((f) => [h('label', null, f.p.name, h('span', { class: 'muted' }, ` ${f.p.type}`)), h('div', null, f.input, f.error)]))) : '';
    items.forEach((f) => { f.error.id = `param-error-${f.p.name}`; f.input.setAttribute('aria-describedby', f.error.id); });
    // The params set, null when one is refused; empty fields take the model's defaults.
    function read(check) {
      const out = {};
      let ok = true;
      for (const f of items) {
        f.input.removeAttribute('aria-invalid');
        f.error.textContent = '';
        if (f.input.value.trim() === '') continue;
        let parsed;
        if (f.type === 'json') {
          try { JSON.parse(f.input.value); parsed = { value: new Raw(respace(f.input.value, 0)) }; } catch (e) { parsed = { error: e.message, fallback: f.input.value }; }
        } else parsed = parseCell(f.type, false, f.input.value);
        if (parsed.error && check) { cellError(f, parsed.error); ok = false; }
        out[f.p.name] = parsed.error ? parsed.fallback : parsed.value;
      }
      return ok ? (Object.keys(out).length ? out : undefined) : null;
    }
    const firstInvalid = () => (items.find((f) => f.input.getAttribute('aria-invalid')) || items[0]).input;
    return { element, read, firstInvalid };
  }

  // Tensor inputs, or a model without a signature: the request body as JSON, from the example or a skeleton.
  function jsonField(inputs, params, example) {
    const zeros = (shape) => (shape && shape.length ? Array.from({ length: shape[0] > 0 ? shape[0] : 1 }, () => zeros(shape.slice(1))) : 0);
    const tensor = (i) => zeros((i['tensor-spec'] || {}).shape);
    let text;
    if (example) text = respace(JSON.stringify(example), 2);
    else {
      const skeleton = { inputs: inputs.length === 1 ? tensor(inputs[0]) : Object.fromEntries(inputs.map((i) => [i.name, tensor(i)])) };
      if (params.length) skeleton.params = Object.fromEntries(params.map((p) => [p.name, p.default]));
      text = respace(JSON.stringify(skeleton), 2);
    }
    const editor = h('textarea', { id: 'request-body', rows: Math.min(24, Math.max(6, text.split('\n').length + 1)), spellcheck: 'false', 'aria-describedby': 'request-body-error' });
    editor.value = text;
    const error = h('span', { id: 'request-body-error', class: 'field-error', role: 'alert' });
    const shapes = inputs.map((i) => `${i.name || 'input'}: ${(i['tensor-spec'] || {}).dtype} [${((i['tensor-spec'] || {}).shape || ['?']).join(', ')}]`).join(' · ');
    const element = h('div', null, h('label', { class: 'pf-label', for: 'request-body' }, 'Request body (JSON)'),
      h('p', { class: 'muted' }, shapes), editor, error);
    const field = { input: editor, error };
    function request(check) {
      editor.removeAttribute('aria-invalid');
      error.textContent = '';
      try {
        const value = JSON.parse(editor.value);
        if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new Error('The body must be a JSON object, e.g. {"inputs": [...]}');
      } catch (e) {
        if (check) { cellError(field, e.message); editor.focus(); return null; }
        return editor.value;
      }
      return respace(editor.value, 0);
    }
    function serverError(message) { cellError(field, message); return true; }
    return { element, request, serverError };
  }

  // ---- The answer ----

  function results() {
    const statusLine = h('p', { id: 'response-status' });
    const prettyView = h('pre', { class: 'code', id: 'response-pretty' });
    const rawView = h('pre', { class: 'code', id: 'response-raw', hidden: true });
    const sent = h('pre', { class: 'code', id: 'request-sent' });
    const curl = h('pre', { class: 'code', id: 'curl-command' });
    const views = [['Pretty', prettyView], ['Raw', rawView]].map(([name, view]) => {
      const b = h('button', { type: 'button', 'aria-pressed': String(view === prettyView), 'aria-controls': view.id }, name);
      b.addEventListener('click', () => views.forEach(([other, v]) => { other.setAttribute('aria-pressed', String(v === view)); v.hidden = v !== view; }));
      return [b, view];
    });
    const copy = h('button', { type: 'button', hidden: !(navigator.clipboard && window.isSecureContext) }, 'Copy');
    copy.addEventListener('click', () => navigator.clipboard.writeText(curl.textContent).then(() => { copy.textContent = 'Copied'; }, () => {}));
    const element = h('section', { id: 'result', hidden: true, 'aria-labelledby': 'response-heading' },
      h('div', { class: 'pf-results' },
        h('div', null, h('h2', { id: 'response-heading', tabindex: '-1' }, 'Response'), statusLine,
          h('div', { class: 'toolbar', role: 'group', 'aria-label': 'Response view' }, views.map(([b]) => b)), prettyView, rawView),
        h('div', null, h('h2', null, 'Request sent'), sent,
          h('h2', null, 'The same request with curl ', copy), curl)));
    return { element, prettyView, rawView, statusLine, sent, curl, heading: element.querySelector('h2'), copy };
  }

  async function send(body, result, attribute) {
    const url = `${location.origin}/invocations`;
    result.sent.textContent = body;
    result.curl.textContent = `curl -sS ${shellQuote(url)} -H ${shellQuote('Content-Type: application/json')} --data-raw ${shellQuote(body)}`;
    result.copy.textContent = 'Copy';
    const started = performance.now();
    let response, text;
    try {
      response = await fetch('/invocations', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body });
      text = await response.text();
    } catch (e) {
      result.statusLine.className = 'error';
      result.statusLine.textContent = `The request failed: ${e.message}`;
      result.prettyView.textContent = result.rawView.textContent = '';
      result.element.hidden = false;
      return;
    }
    const ms = (performance.now() - started).toFixed(1);
    const version = response.headers.get('X-Kaizen-Model-Version');
    const type = response.headers.get('Content-Type') || '';
    result.rawView.textContent = text;
    result.prettyView.textContent = type.includes('json') ? respace(text, 2) : text;
    result.statusLine.className = response.ok ? 'ok' : 'error';
    result.statusLine.textContent = `${response.status} ${response.statusText || ''} · ${ms} ms${version ? ` · model version ${version}` : ''}`;
    if (!response.ok) {
      let message = text;
      try { message = JSON.parse(text).message || text; } catch (_) { /* a plain-text error, as MLflow's 415 */ }
      const placed = attribute(message);
      result.statusLine.textContent += placed ? ' · the error is shown on the field it concerns' : '';
    }
    result.element.hidden = false;
    document.body.dataset.answers = String(Number(document.body.dataset.answers || 0) + 1);
    (document.querySelector('#predict-form [aria-invalid="true"]') || result.heading).focus();
  }

  start().catch((e) => {
    app.replaceChildren(h('div', { class: 'error', role: 'alert' }, String(e && e.message ? e.message : e)));
    setReady(true);
  });
})();
