// Kaizen's line and scatter charts on a canvas. A series is raw points or server buckets (least, greatest and
// last value of each slice of x), so a spike in a million steps is still drawn as a vertical stroke.
'use strict';

const KaizenChart = (() => {
  const palette = ['#2f6fde', '#e5534b', '#2da44e', '#bf8700', '#8250df', '#1b7c83', '#cf222e', '#6e7781',
    '#d4a72c', '#0969da', '#953800', '#57606a'];

  function color(i) { return palette[i % palette.length]; }

  // Charts read their colours from the page's CSS variables when they draw: a theme change redraws them all.
  const live = new Set();
  function redrawAll() { for (const chart of live) { if (chart.wrap.isConnected) chart.draw(); else live.delete(chart); } }
  new MutationObserver(redrawAll).observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
  if (window.matchMedia) window.matchMedia('(prefers-color-scheme: dark)').addEventListener('change', redrawAll);

  function niceTicks(lo, hi, count) {
    if (!isFinite(lo) || !isFinite(hi)) return [];
    if (lo === hi) { return [lo]; }
    const span = hi - lo;
    const raw = span / Math.max(count, 1);
    const mag = Math.pow(10, Math.floor(Math.log10(raw)));
    const norm = raw / mag;
    const step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * mag;
    const ticks = [];
    for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
    return ticks;
  }

  function logTicks(lo, hi) {
    const ticks = [];
    for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
      const v = Math.pow(10, e);
      if (v >= lo && v <= hi) ticks.push(v);
    }
    return ticks.length ? ticks : [lo, hi];
  }

  function format(v) {
    if (!isFinite(v)) return String(v);
    const a = Math.abs(v);
    if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(2);
    return Number(v.toPrecision(6)).toString();
  }

  function formatTime(ms, relative) {
    if (relative) {
      const s = ms / 1000;
      if (s < 120) return s.toFixed(s < 10 ? 1 : 0) + 's';
      if (s < 7200) return (s / 60).toFixed(1) + 'm';
      return (s / 3600).toFixed(1) + 'h';
    }
    const d = new Date(ms);
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit' });
  }

  // Debiased exponential moving average (as TensorBoard smooths) or a centred running average of `window` points.
  function smooth(points, mode, amount) {
    if (!mode || mode === 'none' || points.length < 3) return points;
    if (mode === 'ema') {
      const w = Math.min(Math.max(amount, 0), 0.999);
      let last = 0, n = 0;
      return points.map(([x, y]) => {
        if (!isFinite(y)) return [x, y];
        last = last * w + (1 - w) * y;
        n++;
        return [x, last / (1 - Math.pow(w, n))];
      });
    }
    const half = Math.max(1, Math.floor(amount / 2));
    const out = [];
    let sum = 0, count = 0, lo = 0, hi = -1;
    for (let i = 0; i < points.length; i++) {
      while (hi < Math.min(points.length - 1, i + half)) { hi++; if (isFinite(points[hi][1])) { sum += points[hi][1]; count++; } }
      while (lo < i - half) { if (isFinite(points[lo][1])) { sum -= points[lo][1]; count--; } lo++; }
      out.push([points[i][0], count ? sum / count : points[i][1]]);
    }
    return out;
  }

  function percentile(sorted, p) {
    if (!sorted.length) return NaN;
    const i = (sorted.length - 1) * p;
    const lo = Math.floor(i), hi = Math.ceil(i);
    return sorted[lo] + (sorted[hi] - sorted[lo]) * (i - lo);
  }

  class Chart {
    // options: { xLabel, yLabel, logX, logY, relativeTime, timeAxis, smoothing: {mode, amount}, ignoreOutliers,
    //            onZoom(lo, hi) (drag to zoom, double-click to reset), scatter }
    constructor(container, options) {
      this.options = Object.assign({}, options || {});
      this.series = [];
      this.wrap = document.createElement('div');
      this.wrap.className = 'chart';
      this.canvas = document.createElement('canvas');
      this.canvas.setAttribute('role', 'img');
      this.canvas.setAttribute('aria-label', this.options.title || 'chart');
      this.tip = document.createElement('div');
      this.tip.className = 'chart-tip';
      this.tip.hidden = true;
      this.wrap.append(this.canvas, this.tip);
      container.append(this.wrap);
      this.drag = null;
      this.canvas.addEventListener('mousemove', (e) => this.hover(e));
      this.canvas.addEventListener('mouseleave', () => { this.tip.hidden = true; this.drag = null; this.draw(); });
      this.canvas.addEventListener('mousedown', (e) => { if (this.options.onZoom) this.drag = { from: this.offsetX(e), to: this.offsetX(e) }; });
      this.canvas.addEventListener('mouseup', (e) => this.endDrag(e));
      this.canvas.addEventListener('dblclick', () => { if (this.options.onZoom) this.options.onZoom(null, null); });
      if (window.ResizeObserver) {
        this.resizer = new ResizeObserver(() => this.draw());
        this.resizer.observe(this.wrap);
      }
      live.add(this);
    }

    setSeries(series) { this.series = series; this.draw(); }

    setOptions(options) { Object.assign(this.options, options); this.draw(); }

    offsetX(e) { return e.clientX - this.canvas.getBoundingClientRect().left; }

    endDrag(e) {
      if (!this.drag || !this.frame) { this.drag = null; return; }
      const a = Math.min(this.drag.from, this.offsetX(e)), b = Math.max(this.drag.from, this.offsetX(e));
      this.drag = null;
      if (b - a < 5) { this.draw(); return; }
      const f = this.frame;
      this.options.onZoom(Math.floor(f.invX(a)), Math.ceil(f.invX(b)));
    }

    // The points a series draws: raw points, or each bucket's last value at its upper x.
    static linePoints(s) {
      if (s.points) return s.points;
      return (s.buckets || []).map((b) => [b[1], b[4]]);
    }

    bounds() {
      const o = this.options;
      let x0 = Infinity, x1 = -Infinity, positiveX = Infinity;
      const ys = [];
      for (const s of this.series) {
        for (const [x, y] of Chart.linePoints(s)) {
          if (x < x0) x0 = x; if (x > x1) x1 = x;
          if (x > 0 && x < positiveX) positiveX = x;
          if (isFinite(y) && (!o.logY || y > 0)) ys.push(y);
        }
        for (const b of s.buckets || []) {
          if (b[0] < x0) x0 = b[0];
          if (isFinite(b[2]) && (!o.logY || b[2] > 0)) ys.push(b[2]);
          if (isFinite(b[3])) ys.push(b[3]);
        }
        for (const b of s.band || []) { if (isFinite(b[1])) ys.push(b[1]); if (isFinite(b[2])) ys.push(b[2]); }
      }
      if (this.options.range) { x0 = this.options.range[0]; x1 = this.options.range[1]; }
      let y0, y1;
      if (o.ignoreOutliers && ys.length > 10) {
        ys.sort((a, b) => a - b);
        y0 = percentile(ys, 0.05); y1 = percentile(ys, 0.95);
      } else {
        y0 = Infinity; y1 = -Infinity;
        for (const y of ys) { if (y < y0) y0 = y; if (y > y1) y1 = y; }
      }
      if (!isFinite(x0)) { x0 = 0; x1 = 1; }
      // A log x axis starts at the least positive x (step 0 cannot be placed on it).
      if (o.logX && x0 <= 0 && isFinite(positiveX) && positiveX < x1) x0 = positiveX;
      if (x0 === x1) { x0 -= 1; x1 += 1; }
      if (!isFinite(y0)) { y0 = 0; y1 = 1; }
      if (y0 === y1) { const d = Math.abs(y0) * 0.1 || 1; y0 -= d; y1 += d; }
      if (!o.logY) { const pad = (y1 - y0) * 0.05; y0 -= pad; y1 += pad; }
      if (o.scatter && !o.range) { const pad = (x1 - x0) * 0.05; x0 -= pad; x1 += pad; }
      return { x0, x1, y0, y1 };
    }

    draw() {
      const canvas = this.canvas;
      const width = this.wrap.clientWidth || 400;
      const height = this.options.height || 240;
      const ratio = window.devicePixelRatio || 1;
      if (canvas.width !== Math.round(width * ratio) || canvas.height !== Math.round(height * ratio)) {
        canvas.width = Math.round(width * ratio); canvas.height = Math.round(height * ratio);
        canvas.style.width = width + 'px'; canvas.style.height = height + 'px';
      }
      const ctx = canvas.getContext('2d');
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const style = getComputedStyle(document.documentElement);
      const fg = style.getPropertyValue('--fg').trim() || '#222';
      const grid = style.getPropertyValue('--grid').trim() || '#ddd';
      ctx.clearRect(0, 0, width, height);
      const o = this.options;
      const { x0, x1, y0, y1 } = this.bounds();
      const left = 58, right = 12, top = 10, bottom = 34;
      const w = Math.max(width - left - right, 10), h = Math.max(height - top - bottom, 10);
      const lx = (v) => Math.log10(Math.max(v, 1e-300));
      const sx = o.logX && x0 > 0 ? (v) => left + (lx(v) - lx(x0)) / (lx(x1) - lx(x0) || 1) * w
        : (v) => left + (v - x0) / (x1 - x0) * w;
      const sy = o.logY && y1 > 0 ? (v) => top + h - (lx(v) - lx(Math.max(y0, y1 * 1e-12))) / (lx(y1) - lx(Math.max(y0, y1 * 1e-12)) || 1) * h
        : (v) => top + h - (Math.min(Math.max(v, y0), y1) - y0) / (y1 - y0) * h;
      const invX = o.logX && x0 > 0 ? (px) => Math.pow(10, lx(x0) + (px - left) / w * (lx(x1) - lx(x0)))
        : (px) => x0 + (px - left) / w * (x1 - x0);
      this.frame = { sx, sy, invX, left, top, w, h };
      ctx.font = '11px system-ui, sans-serif';
      ctx.fillStyle = fg; ctx.strokeStyle = grid; ctx.lineWidth = 1;
      const yt = o.logY && y1 > 0 ? logTicks(Math.max(y0, y1 * 1e-12), y1) : niceTicks(y0, y1, Math.max(2, Math.floor(h / 40)));
      ctx.textAlign = 'right'; ctx.textBaseline = 'middle';
      for (const t of yt) {
        const y = sy(t);
        ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + w, y); ctx.stroke();
        ctx.fillText(format(t), left - 4, y);
      }
      const xt = o.logX && x0 > 0 ? logTicks(x0, x1) : niceTicks(x0, x1, Math.max(2, Math.floor(w / 110)));
      ctx.textAlign = 'center'; ctx.textBaseline = 'top';
      for (const t of xt) {
        const x = sx(t);
        ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + h); ctx.stroke();
        ctx.fillText(o.timeAxis ? formatTime(t, o.relativeTime) : format(t), x, top + h + 4);
      }
      if (o.xLabel) { ctx.fillText(o.xLabel, left + w / 2, top + h + 18); }
      ctx.save();
      ctx.beginPath(); ctx.rect(left, top, w, h); ctx.clip();
      this.series.forEach((s, i) => {
        const c = s.color || color(i);
        if (s.band && s.band.length) {
          // Group band: [x, low, high].
          ctx.fillStyle = c; ctx.globalAlpha = 0.15; ctx.beginPath();
          s.band.forEach((b, k) => { const x = sx(b[0]), y = sy(b[2]); k ? ctx.lineTo(x, y) : ctx.moveTo(x, y); });
          for (let k = s.band.length - 1; k >= 0; k--) ctx.lineTo(sx(s.band[k][0]), sy(s.band[k][1]));
          ctx.closePath(); ctx.fill(); ctx.globalAlpha = 1;
        }
        if (s.buckets && s.buckets.length && !o.scatter) {
          // Each bucket's range as a vertical stroke: spikes survive any reduction.
          ctx.strokeStyle = c; ctx.globalAlpha = 0.35; ctx.lineWidth = 1; ctx.beginPath();
          for (const b of s.buckets) {
            const x = Math.round(sx((b[0] + b[1]) / 2)) + 0.5;
            const ya = sy(b[2]), yb = sy(b[3]);
            ctx.moveTo(x, ya); ctx.lineTo(x, Math.abs(yb - ya) < 1 ? ya - 1 : yb);
          }
          ctx.stroke(); ctx.globalAlpha = 1;
        }
        let pts = Chart.linePoints(s);
        if (o.smoothing && !o.scatter) pts = smooth(pts, o.smoothing.mode, o.smoothing.amount);
        ctx.strokeStyle = c; ctx.fillStyle = c; ctx.lineWidth = s.width || 1.5;
        if (o.scatter) {
          for (const [x, y] of pts) { if (isFinite(y)) { ctx.beginPath(); ctx.arc(sx(x), sy(y), 3.5, 0, 6.3); ctx.fill(); } }
          return;
        }
        ctx.beginPath();
        let pen = false;
        for (const [x, y] of pts) {
          if (!isFinite(y) || (o.logY && y <= 0)) { pen = false; continue; }
          const px = sx(x), py = sy(y);
          if (pen) ctx.lineTo(px, py); else { ctx.moveTo(px, py); pen = true; }
        }
        ctx.stroke();
        if (s.points && s.points.length <= 200) {
          for (const [x, y] of pts) if (isFinite(y)) { ctx.beginPath(); ctx.arc(sx(x), sy(y), 2, 0, 6.3); ctx.fill(); }
        }
      });
      if (this.drag) {
        ctx.fillStyle = fg; ctx.globalAlpha = 0.1;
        ctx.fillRect(Math.min(this.drag.from, this.drag.to), top, Math.abs(this.drag.to - this.drag.from), h);
        ctx.globalAlpha = 1;
      }
      ctx.restore();
      ctx.strokeStyle = fg; ctx.globalAlpha = 0.5; ctx.strokeRect(left + 0.5, top + 0.5, w, h); ctx.globalAlpha = 1;
    }

    hover(e) {
      if (!this.frame) return;
      const px = this.offsetX(e);
      if (this.drag) { this.drag.to = px; this.draw(); return; }
      const x = this.frame.invX(px);
      const lines = [];
      this.series.slice(0, 12).forEach((s, i) => {
        const pts = Chart.linePoints(s);
        if (!pts.length) return;
        let best = pts[0];
        for (const p of pts) if (Math.abs(p[0] - x) < Math.abs(best[0] - x)) best = p;
        lines.push([s.color || color(i), `${s.name || ''} ${this.options.timeAxis ? formatTime(best[0], this.options.relativeTime) : format(best[0])}: ${format(best[1])}`]);
      });
      this.tip.replaceChildren(...lines.map(([c, text]) => {
        const row = document.createElement('div');
        const dot = document.createElement('span'); dot.className = 'dot'; dot.style.background = c;
        row.append(dot, document.createTextNode(text));
        return row;
      }));
      this.tip.hidden = lines.length === 0;
      this.tip.style.left = Math.min(px + 12, this.wrap.clientWidth - 180) + 'px';
    }
  }

  // Parallel coordinates: one vertical axis per dimension, one polyline per run.
  function parallel(container, dims, rows, height) {
    const canvas = document.createElement('canvas');
    canvas.setAttribute('role', 'img'); canvas.setAttribute('aria-label', 'parallel coordinates');
    const wrap = document.createElement('div'); wrap.className = 'chart'; wrap.append(canvas); container.append(wrap);
    const draw = () => {
      const width = wrap.clientWidth || 600, ratio = window.devicePixelRatio || 1;
      height = height || 280;
      canvas.width = width * ratio; canvas.height = height * ratio;
      canvas.style.width = width + 'px'; canvas.style.height = height + 'px';
      const ctx = canvas.getContext('2d'); ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      const fg = getComputedStyle(document.documentElement).getPropertyValue('--fg').trim() || '#222';
      ctx.font = '11px system-ui, sans-serif'; ctx.fillStyle = fg; ctx.strokeStyle = fg;
      const top = 24, bottom = 16, pad = 40;
      const step = dims.length > 1 ? (width - 2 * pad) / (dims.length - 1) : 0;
      const scales = dims.map((d) => {
        const values = rows.map((r) => r.values[d]).filter((v) => v !== undefined && v !== null && v !== '');
        const numeric = values.every((v) => isFinite(Number(v)));
        if (numeric) {
          const nums = values.map(Number);
          const lo = Math.min(...nums), hi = Math.max(...nums);
          return { numeric, lo, hi, at: (v) => hi === lo ? 0.5 : (Number(v) - lo) / (hi - lo) };
        }
        const cats = [...new Set(values.map(String))].sort();
        return { numeric, cats, at: (v) => cats.length < 2 ? 0.5 : cats.indexOf(String(v)) / (cats.length - 1) };
      });
      const y = (t) => top + (1 - t) * (height - top - bottom);
      dims.forEach((d, i) => {
        const x = pad + i * step;
        ctx.globalAlpha = 0.6; ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, height - bottom); ctx.stroke(); ctx.globalAlpha = 1;
        ctx.textAlign = 'center'; ctx.fillText(d.length > 18 ? d.slice(0, 17) + '…' : d, x, 12);
        const s = scales[i];
        ctx.textAlign = i === dims.length - 1 ? 'right' : 'left';
        if (s.numeric) { ctx.fillText(format(s.hi), x + 3, top + 8); ctx.fillText(format(s.lo), x + 3, height - bottom - 2); }
      });
      rows.forEach((r, k) => {
        ctx.strokeStyle = r.color || color(k); ctx.globalAlpha = 0.8; ctx.beginPath();
        let pen = false;
        dims.forEach((d, i) => {
          const v = r.values[d];
          if (v === undefined || v === null || v === '') { pen = false; return; }
          const px = pad + i * step, py = y(scales[i].at(v));
          if (pen) ctx.lineTo(px, py); else { ctx.moveTo(px, py); pen = true; }
        });
        ctx.stroke();
      });
      ctx.globalAlpha = 1;
    };
    draw();
    return { draw };
  }

  return { Chart, parallel, color, format, formatTime, smooth };
})();
