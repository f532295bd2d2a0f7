// Kaizen's web UI: experiments, runs, charts, comparison, artifacts and the model registry, on the server's
// MLflow REST API and Kaizen's own table and chart endpoints. Every text from the server is put in the page as
// text (textContent), never as HTML.
'use strict';

(() => {
  const token = (document.querySelector('meta[name="kaizen-ui-token"]') || {}).content || '';
  const app = document.getElementById('app');
  const C = KaizenChart;

  // ---- API helpers ----

  const { h, fill, append, setReady, themeToggle } = KaizenDOM;

  class ApiError extends Error {
    constructor(message, code, status) { super(message); this.code = code; this.status = status; }
  }

  async function api(path, options) {
    const { method = 'GET', query, body, namespace = 'mlflow' } = options || {};
    let url = `/ajax-api/2.0/${namespace}/${path}`;
    if (query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) {
        if (v === undefined || v === null) continue;
        for (const item of Array.isArray(v) ? v : [v]) params.append(k, String(item));
      }
      url += '?' + params.toString();
    }
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (method !== 'GET') headers['X-Kaizen-UI-Token'] = token;
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch (_) { json = { message: text }; }
    if (!response.ok) throw new ApiError(json.message || response.statusText, json.error_code, response.status);
    return json;
  }

  function num(v) { return typeof v === 'string' ? (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v)) : v; }
  function fmt(v) { v = num(v); return v === undefined || v === null ? '' : C.format(v); }
  function date(ms) { return ms ? new Date(Number(ms)).toLocaleString() : ''; }
  function duration(start, end) {
    if (!start || !end) return '';
    const s = (Number(end) - Number(start)) / 1000;
    return s < 60 ? s.toFixed(1) + 's' : s < 3600 ? (s / 60).toFixed(1) + 'min' : (s / 3600).toFixed(1) + 'h';
  }
  function kv(list) { const o = {}; for (const item of list || []) o[item.key] = item.value; return o; }
  function quoteKey(key) { return /^[A-Za-z0-9_]+$/.test(key) ? key : '`' + key.replace(/`/g, '') + '`'; }
  function errorBox(e) { return h('div', { class: 'error', role: 'alert' }, e.message || String(e)); }
  function parseQuery(text) { return Object.fromEntries(new URLSearchParams(text || '')); }
  function jsonList(text) { try { const v = JSON.parse(text || '[]'); return Array.isArray(v) ? v.map(String) : []; } catch (_) { return []; } }
  async function limit(items, count, fn) {
    const results = new Array(items.length);
    let next = 0;
    await Promise.all(Array.from({ length: Math.min(count, items.length) }, async () => {
      while (next < items.length) { const i = next++; results[i] = await fn(items[i], i); }
    }));
    return results;
  }

  // A small inline form: fields, a submit button and an error line under it.
  function inlineForm(fields, label, submit) {
    const error = h('span', { class: 'field-error', role: 'alert' });
    const inputs = fields.map((f) => h('input', { 'aria-label': f.label, placeholder: f.label, value: f.value || '', name: f.name }));
    const form = h('form', { class: 'inline-form' }, inputs, h('button', { class: 'primary', type: 'submit' }, label), error);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      error.textContent = '';
      try { await submit(...inputs.map((i) => i.value)); } catch (err) { error.textContent = err.message; }
    });
    return form;
  }

  // ---- Layout, theme and routing ----

  function layout(section) {
    const toggle = themeToggle();
    const main = h('main', { id: 'main', tabindex: '-1' });
    fill(app, 
      h('header', { class: 'top' },
        h('a', { class: 'brand', href: '#/' }, 'Kaizen'),
        h('nav', { 'aria-label': 'Sections' },
          h('a', { href: '#/experiments', class: section === 'experiments' ? 'active' : '' }, 'Experiments'),
          h('a', { href: '#/models', class: section === 'models' ? 'active' : '' }, 'Models'),
          h('a', { href: '#/endpoints', class: section === 'endpoints' ? 'active' : '' }, 'Endpoints')),
        toggle),
      main);
    return main;
  }

  let generation = 0;
  const routes = [
    [/^#\/experiments\/([^/?]+)\/runs\/([^/?]+)(?:\/([\w-]+))?/, (m) => runPage(m[1], m[2], m[3])],
    [/^#\/experiments\/([^/?]+)(?:\/runs)?\/?(?:\?(.*))?$/, (m) => experimentPage(decodeURIComponent(m[1]))],
    [/^#\/runs\/([^/?]+)/, (m) => runRedirect(m[1])],
    [/^#\/compare-runs\?(.*)$/, (m) => comparePage(parseQuery(m[1]))],
    [/^#\/models\/([^/?]+)\/versions\/([^/?]+)/, (m) => versionPage(decodeURIComponent(m[1]), decodeURIComponent(m[2]))],
    [/^#\/models\/([^/?]+)\/?$/, (m) => modelPage(decodeURIComponent(m[1]))],
    [/^#\/models\/?(?:\?.*)?$/, () => modelsPage()],
    [/^#\/endpoints\/([^/?]+)\/?$/, (m) => endpointPage(decodeURIComponent(m[1]))],
    [/^#\/endpoints\/?$/, () => endpointsPage()],
    [/^(?:#\/?|#\/experiments\/?|)$/, () => experimentsPage()],
  ];

  async function route() {
    setReady(false);
    const mine = ++generation;
    const hash = location.hash;
    for (const [pattern, page] of routes) {
      const match = hash.match(pattern);
      if (!match) continue;
      try { await page(match, mine); } catch (e) {
        if (mine === generation) { const main = document.getElementById('main') || layout(''); main.append(errorBox(e)); }
      }
      if (mine === generation) setReady(true);
      return;
    }
    layout('').append(h('h1', {}, 'Not found'), h('p', {}, 'No page at ', h('code', {}, hash)));
    setReady(true);
  }

  window.addEventListener('hashchange', route);
  document.addEventListener('keydown', (e) => {
    if (e.key === '/' && !['INPUT', 'TEXTAREA', 'SELECT'].includes(document.activeElement.tagName)) {
      const search = document.querySelector('input.search');
      if (search) { e.preventDefault(); search.focus(); }
    }
  });

  // ---- Experiments ----

  async function experimentsPage() {
    const main = layout('experiments');
    const state = { filter: '', deleted: false };
    const search = h('input', { class: 'search', type: 'search', placeholder: 'Search experiments by name', 'aria-label': 'Search experiments' });
    const showDeleted = h('input', { type: 'checkbox', id: 'show-deleted' });
    const list = h('div');
    const createBox = h('div');
    const newButton = h('button', { class: 'primary', onclick: () => {
      fill(createBox, inlineForm([{ label: 'Experiment name', name: 'name' }], 'Create', async (name) => {
        const r = await api('experiments/create', { method: 'POST', body: { name } });
        location.hash = `#/experiments/${r.experiment_id}`;
      }));
      createBox.querySelector('input').focus();
    } }, 'New experiment');
    main.append(h('h1', {}, 'Experiments'),
      h('div', { class: 'toolbar' }, h('div', { class: 'grow' }, search), h('label', {}, showDeleted, ' Show deleted'), newButton),
      createBox, list);
    const load = async () => {
      const filter = state.filter ? `name ILIKE '%${state.filter.replace(/'/g, '')}%'` : undefined;
      try {
        let page = await api('experiments/search', { method: 'POST', body: { max_results: 1000, filter, view_type: state.deleted ? 'ALL' : 'ACTIVE_ONLY', order_by: ['last_update_time DESC'] } });
        let experiments = page.experiments || [];
        while (page.next_page_token && experiments.length < 10000) {
          page = await api('experiments/search', { method: 'POST', body: { max_results: 1000, filter, page_token: page.next_page_token, view_type: state.deleted ? 'ALL' : 'ACTIVE_ONLY', order_by: ['last_update_time DESC'] } });
          experiments = experiments.concat(page.experiments || []);
        }
        fill(list, experimentTable(experiments, load));
      } catch (e) { fill(list, errorBox(e)); }
    };
    let timer;
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => { state.filter = search.value; load(); }, 200); });
    showDeleted.addEventListener('change', () => { state.deleted = showDeleted.checked; load(); });
    await load();
  }

  function experimentTable(experiments, reload) {
    if (!experiments.length) return h('p', { class: 'muted' }, 'No experiments.');
    return h('table', { class: 'grid', id: 'experiments' },
      h('thead', {}, h('tr', {}, ['Name', 'ID', 'Created', 'Last updated', 'Stage', ''].map((t) => h('th', {}, t)))),
      h('tbody', {}, experiments.map((e) => {
        const actions = h('td', {});
        const rename = h('button', { onclick: () => {
          fill(actions, inlineForm([{ label: 'New name', value: e.name }], 'Rename', async (name) => {
            await api('experiments/update', { method: 'POST', body: { experiment_id: e.experiment_id, new_name: name } });
            reload();
          }));
        } }, 'Rename');
        const lifecycle = e.lifecycle_stage === 'deleted'
          ? h('button', { onclick: async () => { await api('experiments/restore', { method: 'POST', body: { experiment_id: e.experiment_id } }); reload(); } }, 'Restore')
          : h('button', { class: 'danger', onclick: async () => {
            if (!confirm(`Delete experiment "${e.name}"?`)) return;
            try { await api('experiments/delete', { method: 'POST', body: { experiment_id: e.experiment_id } }); reload(); } catch (err) { actions.append(errorBox(err)); }
          } }, 'Delete');
        append(actions, [rename, ' ', lifecycle]);
        return h('tr', { dataset: { experimentId: e.experiment_id } },
          h('td', {}, h('a', { href: `#/experiments/${encodeURIComponent(e.experiment_id)}` }, e.name)),
          h('td', {}, e.experiment_id), h('td', {}, date(e.creation_time)), h('td', {}, date(e.last_update_time)),
          h('td', {}, e.lifecycle_stage), actions);
      })));
  }

  // ---- Runs table ----

  const attributeColumns = [
    { id: 'attributes.run_name', label: 'Run name', order: 'attributes.run_name', cls: 'name' },
    { id: 'attributes.start_time', label: 'Created', order: 'attributes.start_time' },
    { id: 'attributes.duration', label: 'Duration' },
    { id: 'attributes.status', label: 'Status', order: 'attributes.status' },
    { id: 'attributes.user_id', label: 'User', order: 'attributes.user_id' },
    { id: 'tags.mlflow.source.name', label: 'Source' },
  ];

  function columnValue(run, column, summary) {
    const info = run.info;
    switch (column) {
      case 'attributes.start_time': return date(info.start_time);
      case 'attributes.duration': return duration(info.start_time, info.end_time);
      case 'attributes.status': return info.status;
      case 'attributes.user_id': return info.user_id;
      default: break;
    }
    if (column.startsWith('params.')) return run.params[column.slice(7)];
    if (column.startsWith('tags.')) return run.tags[column.slice(5)];
    if (column.startsWith('metrics.')) {
      const key = column.slice(8);
      if (summary.startsWith('step:')) return fmt(run.step_values[`${key}@${summary.slice(5)}`]);
      const m = run.metricsByKey[key];
      if (!m) return '';
      return fmt(summary === 'last' ? m.last : m[summary]);
    }
    return '';
  }

  // A table that holds only the rows in view: pages of 100 runs are fetched as they scroll into sight.
  class RunGrid {
    constructor(container, options) {
      this.options = options;
      this.rowHeight = 30;
      this.pageSize = 100;
      this.pages = new Map();
      this.total = 0;
      this.rowPool = [];
      this.scroller = h('div', { class: 'runs', id: 'runs-grid', tabindex: '0', role: 'grid', 'aria-label': 'Runs' });
      this.head = h('div', { class: 'head', role: 'row' });
      this.body = h('div', { class: 'body' });
      this.scroller.append(this.head, this.body);
      container.append(this.scroller);
      this.focusIndex = -1;
      this.scroller.addEventListener('scroll', () => this.render());
      this.scroller.addEventListener('keydown', (e) => this.key(e));
      window.addEventListener('resize', () => this.render());
    }

    key(e) {
      if (!['ArrowDown', 'ArrowUp', 'j', 'k', 'Enter', ' ', 'PageDown', 'PageUp', 'Home', 'End'].includes(e.key)) return;
      if (e.target !== this.scroller) return;
      e.preventDefault();
      const perPage = Math.floor(this.scroller.clientHeight / this.rowHeight) - 1;
      const moves = { ArrowDown: 1, j: 1, ArrowUp: -1, k: -1, PageDown: perPage, PageUp: -perPage, Home: -Infinity, End: Infinity };
      if (e.key in moves) {
        this.focusIndex = Math.max(0, Math.min(this.total - 1, (this.focusIndex < 0 ? -1 : this.focusIndex) + moves[e.key]));
        const top = this.focusIndex * this.rowHeight, view = this.scroller.clientHeight - this.rowHeight * 2;
        if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
        else if (top > this.scroller.scrollTop + view) this.scroller.scrollTop = top - view;
        this.render();
        return;
      }
      const run = this.runAt(this.focusIndex);
      if (!run) return;
      if (e.key === 'Enter') location.hash = `#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}`;
      if (e.key === ' ') { this.options.toggle(run.info.run_id); this.render(); }
    }

    reset() { this.pages.clear(); this.scroller.scrollTop = 0; this.focusIndex = -1; return this.load(0); }

    runAt(index) { const page = this.pages.get(Math.floor(index / this.pageSize)); return page && page.rows ? page.rows[index % this.pageSize] : undefined; }

    load(page) {
      if (this.pages.has(page)) return this.pages.get(page).promise;
      const entry = {};
      entry.promise = this.options.fetch(page * this.pageSize, this.pageSize).then((result) => {
        entry.rows = result.runs;
        this.total = result.total;
        this.options.onTotal(result.total);
        this.render();
      }).catch((e) => { this.pages.delete(page); this.options.onError(e); });
      this.pages.set(page, entry);
      return entry.promise;
    }

    renderHead() {
      const { columns, sort } = this.options.state();
      fill(this.head, h('div', { class: 'cell check', role: 'columnheader' }, ''),
        ...columns.map((c) => {
          const sortable = c.order || /^(params|metrics|tags)\./.test(c.id);
          const sorted = sort && sort.column === c.id;
          const cell = h('div', { class: 'cell' + (c.cls ? ' ' + c.cls : '') + (sorted ? ' sorted' + (sort.desc ? ' desc' : '') : ''), role: 'columnheader', title: c.id, tabindex: sortable ? '0' : undefined, 'aria-sort': sorted ? (sort.desc ? 'descending' : 'ascending') : undefined, dataset: { column: c.id } }, c.label);
          if (sortable) {
            const act = () => this.options.onSort(c);
            cell.addEventListener('click', act);
            cell.addEventListener('keydown', (e) => { if (e.key === 'Enter') act(); });
          }
          return cell;
        }));
    }

    render() {
      const { columns, summary, selected } = this.options.state();
      this.body.style.height = (this.total * this.rowHeight) + 'px';
      const first = Math.max(0, Math.floor(this.scroller.scrollTop / this.rowHeight) - 5);
      const count = Math.ceil((this.scroller.clientHeight || 600) / this.rowHeight) + 10;
      const last = Math.min(this.total, first + count);
      for (let p = Math.floor(first / this.pageSize); p <= Math.floor(Math.max(last - 1, 0) / this.pageSize); p++) if (!this.pages.has(p)) this.load(p);
      const rows = [];
      for (let i = first; i < last; i++) {
        const run = this.runAt(i);
        const row = h('div', { class: 'row' + (i === this.focusIndex ? ' focus' : ''), role: 'row', dataset: { index: String(i), runId: run ? run.info.run_id : '' } });
        row.style.top = (i * this.rowHeight) + 'px';
        if (!run) { row.append(h('div', { class: 'cell muted' }, '…')); rows.push(row); continue; }
        const id = run.info.run_id;
        const check = h('input', { type: 'checkbox', 'aria-label': 'Select run ' + run.info.run_name, checked: selected.has(id) });
        check.addEventListener('change', () => this.options.toggle(id));
        row.append(h('div', { class: 'cell check', role: 'gridcell' }, check));
        for (const c of columns) {
          if (c.id === 'attributes.run_name') {
            row.append(h('div', { class: 'cell name', role: 'gridcell' }, h('a', { href: `#/experiments/${run.info.experiment_id}/runs/${id}`, title: run.info.run_name }, run.info.run_name || id)));
          } else {
            const v = columnValue(run, c.id, summary);
            row.append(h('div', { class: 'cell' + (c.id.startsWith('metrics.') ? ' num' : ''), role: 'gridcell', title: v === undefined ? '' : String(v) }, v));
          }
        }
        rows.push(row);
      }
      fill(this.body, ...rows);
    }
  }

  async function experimentPage(experimentID) {
    const main = layout('experiments');
    const experiment = (await api('experiments/get', { query: { experiment_id: experimentID } })).experiment;
    const saved = JSON.parse(localStorage.getItem('kaizen-columns-' + experimentID) || 'null');
    const state = {
      filter: '', view: 'ACTIVE_ONLY', summary: 'last', sort: { column: 'attributes.start_time', desc: true },
      columns: null, selected: new Set(), groupBy: '', chartRuns: 10, xAxis: 'step', keys: { params: [], metrics: [], tags: [] },
    };
    const count = h('span', { class: 'muted', id: 'run-count' });
    const searchError = h('div', { class: 'error', id: 'search-error', role: 'alert' });
    const search = h('input', { class: 'search', type: 'search', id: 'run-search', placeholder: "Filter runs: metrics.rmse < 1 AND (params.model = 'tree' OR tags.team = 'a')", 'aria-label': 'Filter runs' });
    const view = h('select', { 'aria-label': 'Lifecycle' }, ['ACTIVE_ONLY', 'DELETED_ONLY', 'ALL'].map((v) => h('option', { value: v }, v.replace('_ONLY', '').toLowerCase())));
    const summary = h('select', { id: 'metric-summary', 'aria-label': 'Metric value shown' }, ['last', 'min', 'max', 'mean', 'step'].map((v) => h('option', { value: v }, v === 'step' ? 'at step…' : v)));
    const stepInput = h('input', { type: 'number', 'aria-label': 'Step', placeholder: 'step', hidden: true, style: 'width:90px' });
    const picker = h('div', { class: 'columns-picker', hidden: true, id: 'columns-picker' });
    const columnsButton = h('button', { 'aria-expanded': 'false', onclick: () => { picker.hidden = !picker.hidden; columnsButton.setAttribute('aria-expanded', String(!picker.hidden)); } }, 'Columns');
    const actions = h('div', { class: 'toolbar' });
    const gridBox = h('div');
    const chartsBox = h('div');
    main.append(
      h('div', { class: 'crumbs' }, h('a', { href: '#/experiments' }, 'Experiments'), ' / ', experiment.experiment_id),
      h('h1', {}, experiment.name),
      h('div', { class: 'toolbar' }, h('div', { class: 'grow' }, search), view, h('label', {}, 'Metric value ', summary), stepInput, columnsButton, count),
      searchError, picker, actions, gridBox, chartsBox);

    const toTable = (run) => {
      const metricsByKey = {};
      for (const m of run.metrics || []) metricsByKey[m.key] = m;
      return { info: run.info, params: run.params || {}, tags: run.tags || {}, metricsByKey, step_values: run.step_values || {} };
    };
    const columns = () => state.columns || attributeColumns.slice(0, 5).concat(
      state.keys.metrics.slice(0, 8).map((k) => ({ id: 'metrics.' + k, label: k })),
      state.keys.params.slice(0, 8).map((k) => ({ id: 'params.' + k, label: k })));
    const orderBy = () => {
      const c = state.sort.column;
      const entity = c.split('.')[0];
      const key = entity === 'attributes' ? c.slice(11) : c.slice(entity.length + 1);
      return `${entity === 'attributes' ? 'attributes' : entity}.${entity === 'attributes' ? key : quoteKey(key)} ${state.sort.desc ? 'DESC' : 'ASC'}`;
    };
    const summaryText = () => state.summary === 'step' ? 'step:' + (stepInput.value || '0') : state.summary;
    const fetchPage = async (offset, size) => {
      const metricSort = state.sort.column.startsWith('metrics.');
      const stepColumns = state.summary === 'step' ? columns().filter((c) => c.id.startsWith('metrics.')).map((c) => ({ key: c.id.slice(8), step: Number(stepInput.value || 0) })) : [];
      const result = await api('runs/table', { namespace: 'kaizen', method: 'POST', body: {
        experiment_ids: [experimentID], filter: state.filter, run_view_type: state.view, offset, max_results: size,
        order_by: [orderBy()], order_summaries: [metricSort ? summaryText() : 'last'], step_columns: stepColumns,
      } });
      searchError.textContent = '';
      return { total: result.total, runs: (result.runs || []).map(toTable) };
    };
    const grid = new RunGrid(gridBox, {
      state: () => ({ columns: columns(), sort: state.sort, summary: summaryText(), selected: state.selected }),
      fetch: fetchPage,
      onTotal: (total) => { count.textContent = `${total} run${total === 1 ? '' : 's'}`; },
      onError: (e) => { searchError.textContent = e.message; },
      onSort: (c) => {
        state.sort = { column: c.id, desc: state.sort.column === c.id ? !state.sort.desc : true };
        refresh();
      },
      toggle: (id) => { if (state.selected.has(id)) state.selected.delete(id); else state.selected.add(id); renderActions(); },
    });

    const renderPicker = () => {
      const chosen = new Set(columns().map((c) => c.id));
      const box = (id, label) => {
        const input = h('input', { type: 'checkbox', checked: chosen.has(id), dataset: { column: id } });
        input.addEventListener('change', () => {
          let list = columns().slice();
          if (input.checked) list.push({ id, label }); else list = list.filter((c) => c.id !== id);
          state.columns = list;
          localStorage.setItem('kaizen-columns-' + experimentID, JSON.stringify(list));
          grid.renderHead(); grid.render();
        });
        return h('label', {}, input, ' ', id);
      };
      fill(picker, 
        attributeColumns.map((c) => box(c.id, c.label)),
        state.keys.metrics.map((k) => box('metrics.' + k, k)),
        state.keys.params.map((k) => box('params.' + k, k)),
        state.keys.tags.map((k) => box('tags.' + k, k)));
    };

    const renderActions = () => {
      const ids = [...state.selected];
      const tagBox = h('span');
      fill(actions, 
        h('span', { class: 'muted' }, `${ids.length} selected`),
        h('button', { id: 'compare-button', disabled: ids.length < 1, onclick: () => {
          location.hash = `#/compare-runs?runs=${encodeURIComponent(JSON.stringify(ids))}&experiments=${encodeURIComponent(JSON.stringify([experimentID]))}`;
        } }, 'Compare'),
        state.view === 'ACTIVE_ONLY'
          ? h('button', { class: 'danger', disabled: !ids.length, onclick: async () => {
            if (!confirm(`Delete ${ids.length} run(s)?`)) return;
            for (const id of ids) await api('runs/delete', { method: 'POST', body: { run_id: id } });
            state.selected.clear(); refresh();
          } }, 'Delete')
          : h('button', { disabled: !ids.length, onclick: async () => {
            for (const id of ids) await api('runs/restore', { method: 'POST', body: { run_id: id } });
            state.selected.clear(); refresh();
          } }, 'Restore'),
        h('button', { disabled: !ids.length, onclick: () => {
          fill(tagBox, inlineForm([{ label: 'Tag key' }, { label: 'Tag value' }], 'Set tag', async (key, value) => {
            for (const id of ids) await api('runs/set-tag', { method: 'POST', body: { run_id: id, key, value } });
            fill(tagBox); refresh();
          }));
        } }, 'Tag'),
        tagBox,
        h('label', {}, 'Group by ', groupSelect()),
        h('label', {}, 'Runs on charts ', chartRunsSelect()),
        h('label', {}, 'X axis ', xAxisSelect()));
    };
    const groupSelect = () => {
      const s = h('select', { id: 'group-by', 'aria-label': 'Group runs by' }, h('option', { value: '' }, 'none'),
        state.keys.params.map((k) => h('option', { value: 'params.' + k, selected: state.groupBy === 'params.' + k }, 'param ' + k)),
        state.keys.tags.filter((k) => !k.startsWith('mlflow.')).map((k) => h('option', { value: 'tags.' + k, selected: state.groupBy === 'tags.' + k }, 'tag ' + k)));
      s.addEventListener('change', () => { state.groupBy = s.value; drawCharts(); });
      return s;
    };
    const chartRunsSelect = () => {
      const s = h('select', { id: 'chart-runs', 'aria-label': 'Runs drawn on charts' }, [10, 50, 100, 1000].map((n) => h('option', { value: n, selected: state.chartRuns === n }, String(n))));
      s.addEventListener('change', () => { state.chartRuns = Number(s.value); drawCharts(); });
      return s;
    };
    const xAxisSelect = () => {
      const axes = [['step', 'step'], ['time', 'wall time'], ['relative', 'relative time']].concat(state.keys.metrics.map((k) => ['metric:' + k, 'metric ' + k]));
      const s = h('select', { id: 'x-axis', 'aria-label': 'Chart x axis' }, axes.map(([v, l]) => h('option', { value: v, selected: state.xAxis === v }, l)));
      s.addEventListener('change', () => { state.xAxis = s.value; drawCharts(); });
      return s;
    };

    // Charts of the experiment: the first runs in the table's order, or one mean line and min-max band per group.
    let chartGeneration = 0;
    const drawCharts = async () => {
      const mine = ++chartGeneration;
      const keys = state.keys.metrics.slice(0, 6);
      if (!keys.length) { fill(chartsBox); return; }
      const runs = [];
      for (let i = 0; i < Math.min(state.chartRuns, grid.total); i++) {
        const run = grid.runAt(i);
        if (!run) { await grid.load(Math.floor(i / grid.pageSize)); }
        const loaded = grid.runAt(i);
        if (loaded) runs.push(loaded);
      }
      if (mine !== chartGeneration) return;
      const grid2 = h('div', { class: 'charts', id: 'experiment-charts' });
      fill(chartsBox, h('h2', {}, 'Charts'), grid2);
      const buckets = Math.max(100, Math.min(1000, Math.floor(20000 / Math.max(runs.length, 1))));
      await Promise.all(keys.map(async (key) => {
        const card = h('div', { class: 'card' }, h('h3', {}, key));
        grid2.append(card);
        const byMetric = state.xAxis.startsWith('metric:') ? state.xAxis.slice(7) : null;
        const chart = chartFor(card, key, byMetric ? 'step' : state.xAxis);
        if (byMetric) chart.setOptions({ xLabel: byMetric });
        card._chart = chart;
        const series = await limit(runs, 8, async (run, i) => {
          const extra = { name: run.info.run_name, color: C.color(i) };
          const s = await fetchSeries(run.info.run_id, key, byMetric ? 'step' : state.xAxis, null, null, buckets);
          if (!byMetric) return toSeries(s, state.xAxis, run.info.start_time, extra);
          const x = await fetchSeries(run.info.run_id, byMetric, 'step', s.min, s.max, buckets);
          return Object.assign(extra, { points: pairByStep(x, s) });
        });
        if (mine !== chartGeneration) return;
        chart.setSeries(state.groupBy ? groupSeries(runs, series, state.groupBy) : series);
        card.append(legend(state.groupBy ? groupNames(runs, state.groupBy) : runs.map((r) => r.info.run_name).slice(0, 20)));
      }));
    };

    const refresh = async () => {
      grid.renderHead();
      await grid.reset();
      renderActions();
      drawCharts();
    };

    let searchTimer;
    const applySearch = () => { state.filter = search.value.trim(); refresh(); };
    search.addEventListener('keydown', (e) => { if (e.key === 'Enter') { clearTimeout(searchTimer); applySearch(); } });
    view.addEventListener('change', () => { state.view = view.value; state.selected.clear(); refresh(); });
    summary.addEventListener('change', () => { state.summary = summary.value; stepInput.hidden = summary.value !== 'step'; refresh(); });
    stepInput.addEventListener('change', () => refresh());

    // The first page tells which params, metrics and tags the experiment's runs have.
    await grid.load(0);
    const first = grid.pages.get(0) && grid.pages.get(0).rows || [];
    const keys = { params: new Set(), metrics: new Set(), tags: new Set() };
    for (const run of first) {
      Object.keys(run.params).forEach((k) => keys.params.add(k));
      Object.keys(run.metricsByKey).forEach((k) => keys.metrics.add(k));
      Object.keys(run.tags).forEach((k) => keys.tags.add(k));
    }
    state.keys = { params: [...keys.params].sort(), metrics: [...keys.metrics].sort(), tags: [...keys.tags].sort() };
    state.columns = Array.isArray(saved) ? saved : null;
    renderPicker();
    grid.renderHead();
    grid.render();
    renderActions();
    drawCharts();
  }

  function legend(names) {
    return h('div', { class: 'legend' }, names.slice(0, 20).map((n, i) => h('span', {}, (() => { const d = h('span', { class: 'dot' }); d.style.background = C.color(i); return d; })(), n)));
  }

  function groupNames(runs, column) {
    return [...new Set(runs.map((r) => columnValue(r, column, 'last') || '(none)'))];
  }

  // Groups' series: the mean of each bucket (or point) position, with the min and max of the group as a band.
  function groupSeries(runs, series, column) {
    const groups = new Map();
    runs.forEach((r, i) => {
      const g = columnValue(r, column, 'last') || '(none)';
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(series[i]);
    });
    return [...groups.entries()].map(([name, members], gi) => {
      const byX = new Map();
      for (const s of members) for (const [x, y] of C.Chart.linePoints(s)) {
        if (!isFinite(y)) continue;
        if (!byX.has(x)) byX.set(x, []);
        byX.get(x).push(y);
      }
      const xs = [...byX.keys()].sort((a, b) => a - b);
      const points = xs.map((x) => { const ys = byX.get(x); return [x, ys.reduce((a, b) => a + b, 0) / ys.length]; });
      const band = xs.map((x) => { const ys = byX.get(x); return [x, Math.min(...ys), Math.max(...ys)]; });
      return { name: `${name} (${members.length})`, color: C.color(gi), points, band };
    });
  }

  async function fetchSeries(runID, key, axis, lo, hi, buckets) {
    return api('metrics/series', { namespace: 'kaizen', query: { run_id: runID, metric_key: key, axis: axis === 'step' ? 'step' : 'time', min: lo, max: hi, buckets: buckets || 1000 } });
  }

  // One metric against another: the values of both logged at the same step (for buckets, each one's last value).
  function pairByStep(x, y) {
    const values = (s) => s.points && s.points.length ? s.points.map((p) => [p[0], num(p[2])]) : (s.buckets || []).map((b) => [b[1], num(b[4])]);
    const xs = new Map(values(x));
    return values(y).filter(([step]) => xs.has(step)).map(([step, v]) => [xs.get(step), v]);
  }

  // A server series as chart data; relative time subtracts the run's start.
  function toSeries(s, axis, start, extra) {
    const shift = axis === 'relative' ? Number(start || 0) : 0;
    const xi = axis === 'step' ? 0 : 1;
    const out = Object.assign({}, extra);
    if (s.points && s.points.length) out.points = s.points.map((p) => [p[xi] - shift, num(p[2])]);
    else out.buckets = (s.buckets || []).map((b) => [b[0] - shift, b[1] - shift, num(b[2]), num(b[3]), num(b[4]), b[5]]);
    if (!out.points && !out.buckets.length) out.points = [];
    return out;
  }

  // A chart with its own toolbar: log axes, smoothing and outliers.
  function chartFor(card, key, axis, onZoom) {
    const logY = h('input', { type: 'checkbox' });
    const logX = h('input', { type: 'checkbox' });
    const outliers = h('input', { type: 'checkbox' });
    const smoothing = h('select', { 'aria-label': 'Smoothing for ' + key }, [['none', 'no smoothing'], ['ema', 'exponential'], ['avg', 'running average']].map(([v, l]) => h('option', { value: v }, l)));
    const amount = h('input', { type: 'range', min: '0', max: '0.99', step: '0.01', value: '0.6', 'aria-label': 'Smoothing amount', hidden: true });
    smoothing.addEventListener('change', () => { amount.hidden = smoothing.value === 'none'; });
    const tools = h('div', { class: 'toolbar' }, h('label', {}, logX, ' log x'), h('label', {}, logY, ' log y'), h('label', {}, outliers, ' ignore outliers'), smoothing, amount);
    card.append(tools);
    const chart = new C.Chart(card, { title: key, timeAxis: axis !== 'step', relativeTime: axis === 'relative', xLabel: axis === 'step' ? 'step' : axis === 'time' ? 'wall time' : 'relative time', onZoom });
    const update = () => chart.setOptions({
      logX: logX.checked, logY: logY.checked, ignoreOutliers: outliers.checked,
      smoothing: { mode: smoothing.value, amount: smoothing.value === 'avg' ? Math.max(2, Math.round(Number(amount.value) * 50)) : Number(amount.value) },
    });
    [logX, logY, outliers, smoothing, amount].forEach((el) => el.addEventListener('input', update));
    return chart;
  }

  // ---- Run page ----

  async function runRedirect(runID) {
    const run = (await api('runs/get', { query: { run_id: runID } })).run;
    location.replace(`#/experiments/${run.info.experiment_id}/runs/${run.info.run_id}`);
  }

  // A run's page has three tabs, as MLflow's: overview, charts (MLflow's `model-metrics`) and artifacts.
  async function runPage(experimentID, runID, tabName) {
    const tab = tabName === 'model-metrics' || tabName === 'charts' ? 'charts' : tabName === 'artifacts' ? 'artifacts' : 'overview';
    const main = layout('experiments');
    const [runResponse, table] = await Promise.all([
      api('runs/get', { query: { run_id: runID } }),
      api('runs/table', { namespace: 'kaizen', method: 'POST', body: { experiment_ids: [experimentID], filter: `attributes.run_id = '${runID.replace(/'/g, '')}'`, run_view_type: 'ALL', max_results: 1 } }),
    ]);
    const run = runResponse.run;
    const info = run.info;
    const experiment = (await api('experiments/get', { query: { experiment_id: info.experiment_id } })).experiment;
    const tags = kv(run.data.tags);
    const summaries = ((table.runs || [])[0] || {}).metrics || [];
    const title = h('h1', { id: 'run-name' }, info.run_name || info.run_id);
    const titleBox = h('div', {}, title);
    const renameButton = h('button', { onclick: () => {
      fill(titleBox, inlineForm([{ label: 'Run name', value: info.run_name }], 'Rename', async (name) => {
        await api('runs/update', { method: 'POST', body: { run_id: info.run_id, run_name: name } });
        route();
      }));
    } }, 'Rename');
    const lifecycle = info.lifecycle_stage === 'deleted'
      ? h('button', { onclick: async () => { await api('runs/restore', { method: 'POST', body: { run_id: info.run_id } }); route(); } }, 'Restore')
      : h('button', { class: 'danger', onclick: async () => { if (confirm('Delete this run?')) { await api('runs/delete', { method: 'POST', body: { run_id: info.run_id } }); route(); } } }, 'Delete');
    main.append(
      h('div', { class: 'crumbs' }, h('a', { href: '#/experiments' }, 'Experiments'), ' / ', h('a', { href: `#/experiments/${info.experiment_id}` }, experiment.name), ' / run'),
      titleBox, h('div', { class: 'toolbar' }, renameButton, lifecycle),
      h('nav', { class: 'tabs', 'aria-label': 'Run tabs' }, [['overview', 'Overview'], ['charts', `Charts (${summaries.length})`], ['artifacts', 'Artifacts']].map(([t, label]) =>
        h('a', { href: `#/experiments/${experimentID}/runs/${runID}/${t}`, class: t === tab ? 'active' : '', 'aria-current': t === tab ? 'page' : undefined }, label))));
    if (tab === 'charts') {
      const charts = h('div', { class: 'charts', id: 'run-charts' });
      main.append(charts);
      runCharts(charts, info, summaries.map((m) => m.key));
      return;
    }
    if (tab === 'artifacts') {
      await artifactBrowser(main, info);
      return;
    }

    const parent = tags['mlflow.parentRunId'];
    main.append(h('h2', { id: 'section-overview' }, 'Overview'), h('table', { class: 'grid kv' }, h('tbody', {},
      [['Run ID', info.run_id], ['Run name', info.run_name], ['Experiment', h('a', { href: `#/experiments/${info.experiment_id}` }, experiment.name)],
        ['Status', info.status], ['Started', date(info.start_time)], ['Ended', date(info.end_time)], ['Duration', duration(info.start_time, info.end_time)],
        ['User', info.user_id], ['Source', tags['mlflow.source.name'] || ''], ['Git commit', tags['mlflow.source.git.commit'] || ''],
        ['Parent run', parent ? h('a', { href: `#/runs/${parent}` }, parent) : ''], ['Lifecycle', info.lifecycle_stage], ['Artifact URI', info.artifact_uri],
        ['Description', tags['mlflow.note.content'] || '']]
        .map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))))));

    const params = run.data.params || [];
    const paramFilter = h('input', { type: 'search', placeholder: 'Filter params', 'aria-label': 'Filter params' });
    const paramBody = h('tbody');
    const drawParams = () => fill(paramBody, ...params.filter((p) => !paramFilter.value || p.key.toLowerCase().includes(paramFilter.value.toLowerCase()))
      .map((p) => h('tr', {}, h('td', {}, p.key), h('td', {}, p.value))));
    paramFilter.addEventListener('input', drawParams);
    drawParams();
    main.append(h('h2', { id: 'section-params' }, `Parameters (${params.length})`), paramFilter,
      h('table', { class: 'grid', id: 'params' }, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'))), paramBody));

    main.append(h('h2', { id: 'section-metrics' }, `Metrics (${summaries.length})`),
      h('table', { class: 'grid', id: 'metrics' }, h('thead', {}, h('tr', {}, ['Key', 'Last', 'Step', 'Min', 'Max', 'Mean', 'Values'].map((t) => h('th', {}, t)))),
        h('tbody', {}, summaries.map((m) => h('tr', {}, h('td', {}, h('a', { href: `#/experiments/${experimentID}/runs/${runID}/charts` }, m.key)), h('td', { class: 'num' }, fmt(m.last)), h('td', { class: 'num' }, m.step),
          h('td', { class: 'num' }, fmt(m.min)), h('td', { class: 'num' }, fmt(m.max)), h('td', { class: 'num' }, fmt(m.mean)), h('td', { class: 'num' }, m.count))))));

    main.append(h('h2', { id: 'section-tags' }, 'Tags'), tagEditor(run.data.tags || [],
      (key, value) => api('runs/set-tag', { method: 'POST', body: { run_id: info.run_id, key, value } }),
      (key) => api('runs/delete-tag', { method: 'POST', body: { run_id: info.run_id, key } })));

    const datasets = (run.inputs && run.inputs.dataset_inputs) || [];
    main.append(h('h2', { id: 'section-datasets' }, `Datasets (${datasets.length})`), datasets.length
      ? h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['Name', 'Digest', 'Context', 'Source type', 'Source'].map((t) => h('th', {}, t)))),
        h('tbody', {}, datasets.map((d) => h('tr', {}, h('td', {}, d.dataset.name), h('td', {}, d.dataset.digest), h('td', {}, kv(d.tags)['mlflow.data.context'] || ''),
          h('td', {}, d.dataset.source_type), h('td', {}, d.dataset.source)))))
      : h('p', { class: 'muted' }, 'No datasets.'));

    const outputs = (run.outputs && run.outputs.model_outputs) || [];
    const inputs = (run.inputs && run.inputs.model_inputs) || [];
    main.append(h('h2', { id: 'section-models' }, 'Logged models'), outputs.length || inputs.length
      ? h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ['Model ID', 'Direction', 'Step'].map((t) => h('th', {}, t)))),
        h('tbody', {}, outputs.map((o) => h('tr', {}, h('td', {}, o.model_id), h('td', {}, 'output'), h('td', {}, o.step))),
          inputs.map((o) => h('tr', {}, h('td', {}, o.model_id), h('td', {}, 'input'), h('td', {}, '')))))
      : h('p', { class: 'muted' }, 'No logged models.'));

  }

  // One chart per metric, drawn when it scrolls into view; dragging zooms and re-queries the range.
  function runCharts(container, info, keys) {
    const observer = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (!entry.isIntersecting) continue;
        observer.unobserve(entry.target);
        entry.target._draw();
      }
    }, { rootMargin: '200px' });
    for (const key of keys) {
      const card = h('div', { class: 'card', dataset: { metric: key, drawn: '0' } }, h('h3', {}, key), h('div', { class: 'placeholder' }, 'scroll to draw'));
      card._draw = async () => {
        card.lastChild.remove();
        let chart;
        const status = h('div', { class: 'muted', style: 'font-size:11px' });
        const load = async (lo, hi) => {
          const s = await fetchSeries(info.run_id, key, 'step', lo, hi, 1000);
          chart.setOptions({ range: lo === null ? null : [s.min, s.max] });
          chart.setSeries([toSeries(s, 'step', info.start_time, { name: key })]);
          status.textContent = `${s.total} values in steps ${s.min}–${s.max}` + (s.points.length ? ' (raw)' : `, ${s.buckets.length} min/max buckets`) + ' · drag to zoom, double-click to reset';
          card.dataset.drawn = '1';
          card.dataset.raw = s.points.length ? '1' : '0';
          card.dataset.range = `${s.min}-${s.max}`;
        };
        card._zoom = (lo, hi) => load(lo, hi).catch((e) => card.append(errorBox(e)));
        chart = chartFor(card, key, 'step', card._zoom);
        card._chart = chart;
        card.append(status);
        try { await load(null, null); } catch (e) { card.append(errorBox(e)); }
      };
      container.append(card);
      observer.observe(card);
    }
  }

  function tagEditor(tags, set, remove) {
    const box = h('div', { class: 'tags-editor' });
    const draw = (list) => {
      fill(box, 
        h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, h('th', {}, 'Key'), h('th', {}, 'Value'), h('th', {}, ''))),
          h('tbody', {}, list.map((t) => {
            const cell = h('td', {});
            append(cell, [
              h('button', { onclick: () => fill(cell, inlineForm([{ label: 'Value', value: t.value }], 'Save', async (value) => { await set(t.key, value); t.value = value; draw(list); })) }, 'Edit'), ' ',
              h('button', { class: 'danger', onclick: async () => { await remove(t.key); draw(list.filter((x) => x.key !== t.key)); } }, 'Delete')]);
            return h('tr', { dataset: { tag: t.key } }, h('td', {}, t.key), h('td', {}, t.value), cell);
          }))),
        inlineForm([{ label: 'Tag key', name: 'key' }, { label: 'Tag value', name: 'value' }], 'Add tag', async (key, value) => {
          await set(key, value);
          draw(list.filter((x) => x.key !== key).concat([{ key, value }]));
        }));
    };
    draw(tags.slice());
    return box;
  }

  // ---- Artifacts ----

  const imageTypes = ['png', 'jpg', 'jpeg', 'gif', 'webp', 'svg', 'bmp'];
  const textTypes = ['txt', 'log', 'md', 'py', 'yaml', 'yml', 'json', 'csv', 'tsv', 'html', 'js', 'sh', 'cfg', 'ini', 'toml', 'xml', 'mlmodel', 'jsonl'];
  function extension(name) { const base = name.split('/').pop().toLowerCase(); return base === 'mlmodel' ? 'mlmodel' : base.includes('.') ? base.split('.').pop() : ''; }

  function artifactURL(info, path) {
    const uri = info.artifact_uri || '';
    if (!uri.startsWith('mlflow-artifacts:')) return null;
    const base = uri.slice('mlflow-artifacts:'.length).replace(/^\/+/, '');
    return '/ajax-api/2.0/mlflow-artifacts/artifacts/' + (base + '/' + path).split('/').filter((s) => s).map(encodeURIComponent).join('/');
  }

  async function artifactBrowser(main, info) {
    const tree = h('div', { class: 'tree', id: 'artifact-tree', role: 'tree' });
    const preview = h('div', { class: 'preview', id: 'artifact-preview' }, h('p', { class: 'muted' }, 'Select a file to preview it.'));
    const images = h('div', { class: 'images', id: 'image-grid' });
    main.append(h('div', { class: 'split' }, tree, preview), images);
    if (!artifactURL(info, '')) {
      tree.append(h('p', { class: 'muted' }, 'This run keeps its artifacts at ', info.artifact_uri, ', which this server does not serve.'));
      return;
    }
    const found = [];
    const list = async (path) => (await api('artifacts/list', { query: { run_id: info.run_id, path: path || undefined } })).files || [];
    let selected = null;
    const entry = (file, depth) => {
      const name = file.path.split('/').pop();
      const button = h('button', { class: 'entry', role: 'treeitem', dataset: { path: file.path } }, (file.is_dir ? '▸ ' : '') + name, file.is_dir ? '' : h('span', { class: 'muted' }, file.file_size !== undefined ? `  ${file.file_size} B` : ''));
      button.style.paddingLeft = (4 + depth * 14) + 'px';
      const children = h('div', { hidden: true });
      button.addEventListener('click', async () => {
        if (file.is_dir) {
          children.hidden = !children.hidden;
          if (!children.hidden && !children.childElementCount) (await list(file.path)).forEach((f) => children.append(entry(f, depth + 1)));
          button.firstChild.textContent = (children.hidden ? '▸ ' : '▾ ') + name;
          return;
        }
        if (selected) selected.classList.remove('selected');
        selected = button; button.classList.add('selected');
        showPreview(preview, info, file);
      });
      return h('div', {}, button, children);
    };
    const root = await list('');
    root.forEach((f) => tree.append(entry(f, 0)));
    if (!root.length) tree.append(h('p', { class: 'muted' }, 'No artifacts.'));
    // Image grid: images at the top two levels.
    for (const f of root) {
      if (!f.is_dir && imageTypes.includes(extension(f.path))) found.push(f);
      if (f.is_dir && found.length < 200) for (const g of await list(f.path)) if (!g.is_dir && imageTypes.includes(extension(g.path))) found.push(g);
    }
    if (found.length) {
      images.before(h('h2', {}, `Images (${found.length})`));
      for (const f of found.slice(0, 200)) images.append(h('figure', {}, h('img', { src: artifactURL(info, f.path), alt: f.path, loading: 'lazy' }), h('figcaption', {}, f.path)));
    }
  }

  // A file's preview: images as images, text kinds from their first megabyte only (an HTTP range request).
  async function showPreview(preview, info, file) {
    const url = artifactURL(info, file.path);
    const ext = extension(file.path);
    const download = h('a', { href: url, download: file.path.split('/').pop() }, 'Download');
    fill(preview, h('div', { class: 'toolbar' }, h('strong', {}, file.path), download));
    preview.dataset.kind = '';
    if (imageTypes.includes(ext)) {
      preview.append(h('img', { src: url, alt: file.path }));
      preview.dataset.kind = 'image';
      return;
    }
    if (!textTypes.includes(ext) && file.file_size > 0) { preview.append(h('p', { class: 'muted' }, 'No preview for this kind of file.')); preview.dataset.kind = 'none'; return; }
    const limitBytes = 1024 * 1024;
    const response = await fetch(url, { headers: { Range: `bytes=0-${limitBytes - 1}` } });
    if (!response.ok) { preview.append(errorBox(new Error(`${response.status} ${response.statusText}`))); return; }
    let text = await response.text();
    const range = response.headers.get('Content-Range');
    const total = range ? Number(range.split('/')[1]) : text.length;
    const truncated = response.status === 206 && total > limitBytes;
    if (truncated) { const cut = text.lastIndexOf('\n'); if (cut > 0) text = text.slice(0, cut); preview.append(h('p', { class: 'muted', id: 'preview-truncated' }, `Showing the first ${limitBytes} bytes of ${total}.`)); }
    if (ext === 'csv' || ext === 'tsv') {
      const rows = parseCSV(text, ext === 'tsv' ? '\t' : ',').slice(0, 101);
      preview.dataset.kind = 'csv';
      preview.append(h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, (rows[0] || []).map((c) => h('th', {}, c)))),
        h('tbody', {}, rows.slice(1).map((r) => h('tr', {}, r.map((c) => h('td', {}, c)))))));
      return;
    }
    if (ext === 'json' && !truncated) { try { text = JSON.stringify(JSON.parse(text), null, 2); } catch (_) { /* shown as is */ } }
    preview.dataset.kind = ext === 'mlmodel' ? 'mlmodel' : ext === 'json' ? 'json' : ext === 'yaml' || ext === 'yml' ? 'yaml' : 'text';
    preview.append(h('pre', {}, text));
  }

  function parseCSV(text, sep) {
    const rows = [];
    let row = [], field = '', quoted = false;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (quoted) {
        if (c === '"') { if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false; } else field += c;
      } else if (c === '"') quoted = true;
      else if (c === sep) { row.push(field); field = ''; }
      else if (c === '\n' || c === '\r') {
        if (c === '\r' && text[i + 1] === '\n') i++;
        row.push(field); rows.push(row); row = []; field = '';
        if (rows.length > 101) return rows;
      } else field += c;
    }
    if (field || row.length) { row.push(field); rows.push(row); }
    return rows;
  }

  // ---- Compare ----

  async function comparePage(query) {
    const main = layout('experiments');
    const ids = jsonList(query.runs);
    main.append(h('h1', {}, `Comparing ${ids.length} runs`));
    const runs = (await limit(ids, 8, (id) => api('runs/get', { query: { run_id: id } }).then((r) => r.run))).filter(Boolean);
    const names = runs.map((r) => r.info.run_name || r.info.run_id);
    const params = runs.map((r) => kv(r.data.params));
    const metrics = runs.map((r) => { const o = {}; for (const m of r.data.metrics || []) o[m.key] = num(m.value); return o; });
    const tags = runs.map((r) => kv((r.data.tags || []).filter((t) => !t.key.startsWith('mlflow.'))));
    const keysOf = (maps) => [...new Set(maps.flatMap((m) => Object.keys(m)))].sort();
    const onlyDiff = h('input', { type: 'checkbox', id: 'only-differences' });
    const table = h('table', { class: 'grid', id: 'compare-table' });
    const drawTable = () => {
      const rows = [];
      for (const [label, maps, show] of [['Parameters', params, (v) => v], ['Metrics', metrics, fmt], ['Tags', tags, (v) => v]]) {
        rows.push(h('tr', {}, h('th', { colspan: String(runs.length + 1) }, label)));
        for (const key of keysOf(maps)) {
          const values = maps.map((m) => m[key]);
          const differs = new Set(values.map((v) => String(v))).size > 1;
          if (onlyDiff.checked && !differs) continue;
          rows.push(h('tr', { class: differs ? 'diff' : '', dataset: { key } }, h('td', {}, key), values.map((v) => h('td', { class: 'num' }, v === undefined ? '' : show(v)))));
        }
      }
      fill(table, h('thead', {}, h('tr', {}, h('th', {}, ''), runs.map((r, i) => h('th', {}, h('a', { href: `#/experiments/${r.info.experiment_id}/runs/${r.info.run_id}` }, names[i]))))), h('tbody', {}, rows));
    };
    onlyDiff.addEventListener('change', drawTable);
    drawTable();
    main.append(h('label', {}, onlyDiff, ' Only differences'), table);

    // Scatter of a param or metric against a metric.
    const dims = [...keysOf(params).map((k) => 'params.' + k), ...keysOf(metrics).map((k) => 'metrics.' + k)];
    const valueOf = (i, dim) => dim.startsWith('params.') ? params[i][dim.slice(7)] : metrics[i][dim.slice(8)];
    const xSel = h('select', { id: 'scatter-x', 'aria-label': 'Scatter x' }, dims.map((d) => h('option', { value: d }, d)));
    const ySel = h('select', { id: 'scatter-y', 'aria-label': 'Scatter y' }, keysOf(metrics).map((k) => h('option', { value: 'metrics.' + k }, 'metrics.' + k)));
    const scatterCard = h('div', { class: 'card' });
    main.append(h('h2', {}, 'Scatter'), h('div', { class: 'toolbar' }, h('label', {}, 'x ', xSel), h('label', {}, 'y ', ySel)), scatterCard);
    const scatter = new C.Chart(scatterCard, { scatter: true, title: 'scatter' });
    const drawScatter = () => {
      const xs = runs.map((_, i) => valueOf(i, xSel.value));
      const numeric = xs.every((x) => x === undefined || isFinite(Number(x)));
      const cats = [...new Set(xs.map(String))].sort();
      scatter.setOptions({ xLabel: xSel.value + (numeric ? '' : ' (' + cats.join(', ') + ')') });
      scatter.setSeries(runs.map((r, i) => ({ name: names[i], color: C.color(i), points: xs[i] === undefined ? [] : [[numeric ? Number(xs[i]) : cats.indexOf(String(xs[i])), num(valueOf(i, ySel.value))]] })));
    };
    xSel.addEventListener('change', drawScatter); ySel.addEventListener('change', drawScatter);
    drawScatter();

    const pcCard = h('div', { class: 'card', id: 'parallel' });
    main.append(h('h2', {}, 'Parallel coordinates'), pcCard);
    const varying = dims.filter((d) => new Set(runs.map((_, i) => String(valueOf(i, d)))).size > 1);
    C.parallel(pcCard, (varying.length ? varying : dims).slice(0, 12), runs.map((r, i) => ({ color: C.color(i), values: Object.fromEntries(dims.map((d) => [d, valueOf(i, d)])) })));
    main.append(legend(names));

    const chartGrid = h('div', { class: 'charts' });
    main.append(h('h2', {}, 'Metrics'), chartGrid);
    for (const key of keysOf(metrics).slice(0, 12)) {
      const card = h('div', { class: 'card' }, h('h3', {}, key));
      chartGrid.append(card);
      const chart = chartFor(card, key, 'step');
      limit(runs, 6, (r, i) => fetchSeries(r.info.run_id, key, 'step', null, null, 500).then((s) => toSeries(s, 'step', r.info.start_time, { name: names[i], color: C.color(i) })))
        .then((series) => chart.setSeries(series)).catch((e) => card.append(errorBox(e)));
    }
  }

  // ---- Registry ----

  async function modelsPage() {
    const main = layout('models');
    const search = h('input', { class: 'search', type: 'search', placeholder: 'Search models by name', 'aria-label': 'Search models' });
    const list = h('div');
    main.append(h('h1', {}, 'Registered models'), h('div', { class: 'toolbar' }, h('div', { class: 'grow' }, search)), list);
    let token = null;
    const load = async (more) => {
      const filter = search.value ? `name ILIKE '%${search.value.replace(/'/g, '')}%'` : undefined;
      try {
        const page = await api('registered-models/search', { query: { max_results: 100, filter, page_token: more ? token : undefined, order_by: 'name ASC' } });
        token = page.next_page_token;
        const models = page.registered_models || [];
        const rows = models.map((m) => h('tr', { dataset: { model: m.name } },
          h('td', {}, h('a', { href: `#/models/${encodeURIComponent(m.name)}` }, m.name)),
          h('td', {}, (m.latest_versions || []).map((v) => h('a', { class: 'tag', href: `#/models/${encodeURIComponent(m.name)}/versions/${v.version}` }, `v${v.version} ${v.current_stage || ''}`))),
          h('td', {}, (m.aliases || []).map((a) => h('span', { class: 'tag' }, `@${a.alias} → v${a.version}`))),
          h('td', {}, date(m.last_updated_timestamp)),
          h('td', {}, (m.tags || []).map((t) => h('span', { class: 'tag' }, `${t.key}=${t.value}`)))));
        if (more) list.querySelector('tbody').append(...rows);
        else fill(list, models.length ? h('table', { class: 'grid', id: 'models' }, h('thead', {}, h('tr', {}, ['Name', 'Latest versions', 'Aliases', 'Last modified', 'Tags'].map((t) => h('th', {}, t)))), h('tbody', {}, rows)) : h('p', { class: 'muted' }, 'No registered models.'));
        const old = document.getElementById('more-models'); if (old) old.remove();
        if (token) list.append(h('button', { id: 'more-models', onclick: () => load(true) }, 'More'));
      } catch (e) { fill(list, errorBox(e)); }
    };
    let timer;
    search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => load(false), 200); });
    await load(false);
  }

  const stages = ['None', 'Staging', 'Production', 'Archived'];

  async function modelPage(name) {
    const main = layout('models');
    const model = (await api('registered-models/get', { query: { name } })).registered_model;
    let versions = [];
    let page = await api('model-versions/search', { query: { filter: `name='${name.replace(/'/g, "\\'")}'`, max_results: 1000 } });
    versions = page.model_versions || [];
    versions.sort((a, b) => Number(b.version) - Number(a.version));
    const aliases = model.aliases || [];
    const aliasOf = (v) => aliases.filter((a) => a.version === v).map((a) => '@' + a.alias).join(' ');
    main.append(h('div', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models')), h('h1', {}, model.name));
    main.append(descriptionEditor(model.description || '', (d) => api('registered-models/update', { method: 'PATCH', body: { name, description: d } })));

    main.append(h('h2', {}, `Versions (${versions.length})`), h('table', { class: 'grid', id: 'versions' },
      h('thead', {}, h('tr', {}, ['Version', 'Stage', 'Aliases', 'Created', 'Run', 'Status'].map((t) => h('th', {}, t)))),
      h('tbody', {}, versions.map((v) => {
        const stage = h('select', { 'aria-label': `Stage of version ${v.version}` }, stages.map((s) => h('option', { value: s, selected: (v.current_stage || 'None') === s }, s)));
        stage.addEventListener('change', async () => { await api('model-versions/transition-stage', { method: 'POST', body: { name, version: v.version, stage: stage.value, archive_existing_versions: false } }); route(); });
        return h('tr', { dataset: { version: v.version } }, h('td', {}, h('a', { href: `#/models/${encodeURIComponent(name)}/versions/${v.version}` }, 'Version ' + v.version)),
          h('td', {}, stage), h('td', {}, aliasOf(v.version)), h('td', {}, date(v.creation_timestamp)),
          h('td', {}, v.run_id ? h('a', { href: `#/runs/${v.run_id}` }, v.run_id.slice(0, 8)) : ''), h('td', {}, v.status || ''));
      }))));

    main.append(h('h2', {}, 'Aliases'), h('div', { id: 'aliases' }, aliases.map((a) => h('span', { class: 'tag' }, `@${a.alias} → v${a.version} `,
      h('button', { 'aria-label': `Delete alias ${a.alias}`, onclick: async () => { await api('registered-models/alias', { method: 'DELETE', query: { name, alias: a.alias } }); route(); } }, '×')))),
    inlineForm([{ label: 'Alias' }, { label: 'Version' }], 'Set alias', async (alias, version) => {
      await api('registered-models/alias', { method: 'POST', body: { name, alias, version } }); route();
    }));

    main.append(h('h2', {}, 'Tags'), tagEditor(model.tags || [],
      (key, value) => api('registered-models/set-tag', { method: 'POST', body: { name, key, value } }),
      (key) => api('registered-models/delete-tag', { method: 'DELETE', query: { name, key } })));

    // A metric across versions, from each version's run.
    const withRuns = versions.filter((v) => v.run_id).slice(0, 200);
    if (withRuns.length) {
      const runs = await limit(withRuns, 8, (v) => api('runs/get', { query: { run_id: v.run_id } }).then((r) => r.run).catch(() => null));
      const keys = [...new Set(runs.filter(Boolean).flatMap((r) => (r.data.metrics || []).map((m) => m.key)))].sort();
      if (keys.length) {
        const select = h('select', { id: 'version-metric', 'aria-label': 'Metric across versions' }, keys.map((k) => h('option', { value: k }, k)));
        const card = h('div', { class: 'card' });
        main.append(h('h2', {}, 'Metric across versions'), h('div', { class: 'toolbar' }, select), card);
        const chart = new C.Chart(card, { xLabel: 'version', title: 'metric across versions' });
        const draw = () => {
          const points = withRuns.map((v, i) => { const m = runs[i] && (runs[i].data.metrics || []).find((x) => x.key === select.value); return m ? [Number(v.version), num(m.value)] : null; })
            .filter(Boolean).sort((a, b) => a[0] - b[0]);
          chart.setSeries([{ name: select.value, points }]);
        };
        select.addEventListener('change', draw);
        draw();
      }
    }

    const history = await api('registered-models/history', { namespace: 'kaizen', query: { name } }).catch(() => ({ events: [] }));
    main.append(h('h2', {}, 'Audit trail'), h('ol', { class: 'timeline', id: 'audit' }, (history.events || []).slice().reverse().map((e) =>
      h('li', {}, h('strong', {}, e.action), e.version ? ` version ${e.version}` : '', h('span', { class: 'muted' }, ` · ${date(e.timestamp)} · ${e.actor}`),
        e.before !== undefined || e.after !== undefined ? h('div', { class: 'muted' }, `${JSON.stringify(e.before === undefined ? null : e.before)} → ${JSON.stringify(e.after === undefined ? null : e.after)}`) : ''))));
  }

  function descriptionEditor(text, save) {
    const box = h('div', { class: 'description' });
    const draw = (value) => {
      fill(box, h('p', { class: value ? '' : 'muted' }, value || 'No description.'), h('button', { onclick: () => {
        const area = h('textarea', { rows: '4', 'aria-label': 'Description' });
        area.value = value;
        const error = h('span', { class: 'field-error' });
        fill(box, area, h('button', { class: 'primary', onclick: async () => { try { await save(area.value); draw(area.value); } catch (e) { error.textContent = e.message; } } }, 'Save'), error);
      } }, 'Edit description'));
    };
    draw(text);
    return box;
  }

  async function versionPage(name, version) {
    const main = layout('models');
    const [v, model] = await Promise.all([
      api('model-versions/get', { query: { name, version } }).then((r) => r.model_version),
      api('registered-models/get', { query: { name } }).then((r) => r.registered_model),
    ]);
    const aliases = (model.aliases || []).filter((a) => a.version === v.version).map((a) => '@' + a.alias).join(' ');
    const stage = h('select', { id: 'version-stage', 'aria-label': 'Stage' }, stages.map((s) => h('option', { value: s, selected: (v.current_stage || 'None') === s }, s)));
    stage.addEventListener('change', async () => { await api('model-versions/transition-stage', { method: 'POST', body: { name, version, stage: stage.value, archive_existing_versions: false } }); route(); });
    main.append(h('div', { class: 'crumbs' }, h('a', { href: '#/models' }, 'Models'), ' / ', h('a', { href: `#/models/${encodeURIComponent(name)}` }, name)),
      h('h1', {}, `${name} version ${v.version}`),
      h('table', { class: 'grid kv' }, h('tbody', {}, [['Stage', stage], ['Aliases', aliases], ['Status', v.status || ''], ['Created', date(v.creation_timestamp)],
        ['Last modified', date(v.last_updated_timestamp)], ['Source', v.source || ''], ['Run', v.run_id ? h('a', { href: `#/runs/${v.run_id}` }, v.run_id) : ''],
        ['Logged model', v.model_id || ''], ['User', v.user_id || '']].map(([k, val]) => h('tr', {}, h('td', {}, k), h('td', {}, val))))));
    main.append(h('h2', {}, 'Description'), descriptionEditor(v.description || '', (d) => api('model-versions/update', { method: 'PATCH', body: { name, version, description: d } })));
    main.append(h('h2', {}, 'Tags'), tagEditor(v.tags || [],
      (key, value) => api('model-versions/set-tag', { method: 'POST', body: { name, version, key, value } }),
      (key) => api('model-versions/delete-tag', { method: 'DELETE', query: { name, version, key } })));
  }


  // ---- Endpoints, rollouts and monitoring ----

  function weights(list) {
    return (list || []).map((w) => h('span', { class: 'tag' }, `v${w.version}: ${w.weight}%`));
  }

  async function endpointsPage() {
    const main = layout('endpoints');
    const endpoints = (await api('endpoints/list', { namespace: 'kaizen' })).endpoints || [];
    main.append(h('h1', {}, 'Endpoints'), endpoints.length
      ? h('table', { class: 'grid', id: 'endpoints' }, h('thead', {}, h('tr', {}, ['Name', 'Model', 'Traffic', 'Shadow', 'Follows alias', 'Revision', 'Updated'].map((t) => h('th', {}, t)))),
        h('tbody', {}, endpoints.map((e) => h('tr', { dataset: { endpoint: e.name } },
          h('td', {}, h('a', { href: `#/endpoints/${encodeURIComponent(e.name)}` }, e.name)),
          h('td', {}, h('a', { href: `#/models/${encodeURIComponent(e.model_name)}` }, e.model_name)),
          h('td', {}, weights(e.traffic)), h('td', {}, weights(e.shadow)), h('td', {}, e.follow_alias ? '@' + e.follow_alias : ''),
          h('td', {}, e.revision), h('td', {}, date(e.last_updated_timestamp))))))
      : h('p', { class: 'muted' }, 'No endpoints. Create one with `kaizen endpoints create`.'));
  }

  async function endpointPage(name) {
    const main = layout('endpoints');
    const e = (await api('endpoints/get', { namespace: 'kaizen', query: { name } })).endpoint;
    main.append(h('div', { class: 'crumbs' }, h('a', { href: '#/endpoints' }, 'Endpoints')), h('h1', {}, e.name),
      h('table', { class: 'grid kv' }, h('tbody', {}, [['Model', h('a', { href: `#/models/${encodeURIComponent(e.model_name)}` }, e.model_name)],
        ['Traffic', weights(e.traffic)], ['Shadow', weights(e.shadow)], ['Follows alias', e.follow_alias ? '@' + e.follow_alias : ''],
        ['Description', e.description || ''], ['Revision', e.revision], ['Updated', date(e.last_updated_timestamp)]]
        .map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', {}, v))))));

    const rollouts = (await api('rollouts/list', { namespace: 'kaizen', query: { endpoint: name } })).rollouts || [];
    main.append(h('h2', {}, `Rollouts (${rollouts.length})`));
    const live = rollouts.find((r) => ['step', 'paused', 'shadow'].includes(r.phase));
    if (live) {
      const error = h('span', { class: 'field-error' });
      main.append(h('div', { class: 'toolbar', id: 'rollout-actions' }, ['pause', 'resume', 'promote', 'abort'].map((command) =>
        h('button', { class: command === 'abort' ? 'danger' : '', onclick: async () => {
          try { await api('rollouts/' + command, { namespace: 'kaizen', method: 'POST', body: { endpoint: name } }); route(); } catch (err) { error.textContent = err.message; }
        } }, command)), error));
    }
    main.append(rollouts.length ? h('table', { class: 'grid', id: 'rollouts' },
      h('thead', {}, h('tr', {}, ['Started', 'Strategy', 'Stable → candidate', 'Phase', 'Weights', 'Latest verdict', 'Steps'].map((t) => h('th', {}, t)))),
      h('tbody', {}, rollouts.map((r) => h('tr', {}, h('td', {}, date(r.created_at)), h('td', {}, (r.strategy && r.strategy.name) || ''),
        h('td', {}, `v${r.stable_version} → v${r.candidate_version}`), h('td', {}, r.phase + (r.reason ? ` (${r.reason})` : '')),
        h('td', {}, weights(r.weights && r.weights.traffic)),
        h('td', {}, r.latest_evaluation ? (r.latest_evaluation.verdict || r.latest_evaluation.decision || JSON.stringify(r.latest_evaluation).slice(0, 120)) : ''),
        h('td', {}, (r.history || []).length)))))
      : h('p', { class: 'muted' }, 'No rollouts.'));

    const [rules, alerts, report] = await Promise.all([
      api('monitor/rules/get', { namespace: 'kaizen', query: { endpoint: name } }).then((r) => r.rules).catch(() => null),
      api('monitor/alerts/list', { namespace: 'kaizen', query: { endpoint: name, max_results: 50 } }).then((r) => r.alerts || []).catch(() => []),
      api('monitor/report', { namespace: 'kaizen', query: { endpoint: name } }).catch((err) => ({ error: err.message })),
    ]);
    main.append(h('h2', {}, 'Monitoring'));
    main.append(h('h3', {}, 'Rules'), rules && (rules.rules || []).length
      ? h('ul', {}, rules.rules.map((r) => h('li', {}, h('strong', {}, r.name), ': ', h('code', {}, r.condition))))
      : h('p', { class: 'muted' }, 'No rules.'));
    main.append(h('h3', {}, `Alerts (${alerts.length})`), alerts.length
      ? h('ol', { class: 'timeline', id: 'alerts' }, alerts.map((a) => h('li', {}, h('strong', {}, a.rule), ` ${a.condition} = ${fmt(a.value)}`,
        h('span', { class: 'muted' }, ` · ${date(a.fired_at)}${a.version ? ' · v' + a.version : ''}`))))
      : h('p', { class: 'muted' }, 'No alerts.'));
    const windows = (report && report.windows) || [];
    main.append(h('h3', {}, 'Last 24 hours'), report && report.error ? errorBox(new Error(report.error)) : windows.length
      ? h('table', { class: 'grid', id: 'windows' }, h('thead', {}, h('tr', {}, ['Window', 'Version', 'Rows', 'Requests', 'Refused', 'Performance', 'Drifted columns'].map((t) => h('th', {}, t)))),
        h('tbody', {}, windows.map((w) => {
          const p = w.performance || {};
          const perf = p.accuracy !== undefined ? `accuracy ${fmt(p.accuracy)}` : p.rmse !== undefined ? `rmse ${fmt(p.rmse)}` : '';
          const d = w.drift;
          return h('tr', {}, h('td', {}, date(w.start)), h('td', {}, w.version || ''), h('td', {}, w.rows), h('td', {}, w.requests), h('td', {}, w.refused_requests),
            h('td', {}, perf), h('td', {}, d ? `${d.drifted_columns} of ${d.compared_columns}${d.dataset_drift ? ' (drift)' : ''}` : ''));
        })))
      : h('p', { class: 'muted' }, 'No inference records in the last 24 hours.'));
  }

  route();
})();
