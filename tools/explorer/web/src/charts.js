// The plots: depth profile of a node, size by op kind, and the bounds sweep with its fitted curves.
import { Chart } from './chart_setup.js';
import { esc, human, pct } from './format.js';

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

function canvasIn(host, cls = 'chart-wrap') {
  const wrap = document.createElement('div');
  wrap.className = cls;
  const canvas = document.createElement('canvas');
  wrap.appendChild(canvas);
  host.appendChild(wrap);
  return canvas;
}

// Gates and edges per logic level of one node (its profile: {first, gates[], edges[]}).
export function renderProfile(host, node, profile, { log }) {
  host.innerHTML = `<h2>Depth profile of ${esc(node.path || 'the whole circuit')}</h2>` +
    `<p>${human(node.gates)} gates and ${human(node.edges)} edges on logic levels ${node.first_level}..${node.last_level}. ` +
    `<label><input type="checkbox" id="profile-log" ${log ? 'checked' : ''}> log scale</label></p>`;
  const labels = profile.gates.map((_, i) => profile.first + i);
  const canvas = canvasIn(host);
  canvas.id = 'profile-chart';
  return new Chart(canvas, {
    type: 'bar',
    data: {
      labels,
      datasets: [
        { label: 'gates', data: profile.gates, backgroundColor: COLORS[0], yAxisID: 'y' },
        { label: 'edges', data: profile.edges, backgroundColor: COLORS[1], yAxisID: 'y2' },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false,
      scales: {
        x: { title: { display: true, text: 'logic level' } },
        y: { type: log ? 'logarithmic' : 'linear', title: { display: true, text: 'gates' }, position: 'left' },
        y2: { type: log ? 'logarithmic' : 'linear', title: { display: true, text: 'edges' }, position: 'right', grid: { drawOnChartArea: false } },
      },
      plugins: { zoom: { zoom: { wheel: { enabled: true }, mode: 'x' }, pan: { enabled: true, mode: 'x' } } },
    },
  });
}

// Size by op kind (stacked by tensor in the table), with the model's tensors when given.
export function renderOps(host, meta, verify) {
  const ops = [...meta.ops].sort((a, b) => b.edges - a.edges);
  const total = meta.nodes[0];
  host.innerHTML = '<h2>Size by op kind</h2>';
  const canvas = canvasIn(host, 'chart-wrap short');
  canvas.id = 'ops-chart';
  const chart = new Chart(canvas, {
    type: 'bar',
    data: {
      labels: ops.map((o) => o.op),
      datasets: [
        { label: 'gates', data: ops.map((o) => o.gates), backgroundColor: COLORS[0] },
        { label: 'edges', data: ops.map((o) => o.edges), backgroundColor: COLORS[1] },
      ],
    },
    options: { animation: false, maintainAspectRatio: false, indexAxis: 'y', scales: { x: { type: 'logarithmic', title: { display: true, text: 'count (log)' } } } },
  });
  const modelTensors = (meta.model && meta.model.tensors) || [];
  const statusOf = new Map();
  for (const op of (verify && verify.ops) || []) if (op && typeof op.module === 'string') statusOf.set(op.module, op.status);
  let html = '<table class="ops"><tr><th>op</th><th>tensor</th><th>gates</th><th>edges</th><th>share of edges</th><th>model weights of its layer</th>' + (verify ? '<th>proof</th>' : '') + '</tr>';
  for (const o of ops) {
    for (const t of o.tensors) {
      // Weights of the same layer: the tensor's name without its last part ("blocks.0.attn.q" ->
      // "blocks.0.attn.*", "layers.0.pre" -> "layers.0.*").
      const cut = t.tensor.lastIndexOf('.');
      const layer = cut > 0 ? t.tensor.slice(0, cut) : t.tensor;
      const mt = modelTensors.filter((m) => layer && (m.name === t.tensor || m.name.startsWith(layer + '.')));
      const st = [...statusOf].filter(([m]) => m.includes(t.tensor + '/' + o.op) || (!t.tensor && m.endsWith(o.op))).map(([, s]) => s);
      html += `<tr><td>${esc(o.op)}</td><td>${esc(t.tensor || '-')}</td><td>${human(t.gates)}</td><td>${human(t.edges)}</td><td>${pct(t.edges, total.edges)}</td>` +
        `<td>${mt.map((m) => `${esc(m.name)} [${(m.shape || []).join('x')}]`).join(', ') || '-'}</td>` + (verify ? `<td>${esc(st.join(', ') || '-')}</td>` : '') + '</tr>';
    }
  }
  host.insertAdjacentHTML('beforeend', html + '</table>');
  if (meta.model) {
    host.insertAdjacentHTML('beforeend', `<h2>Model ${esc(meta.model.name || meta.model.dir || '')} (${esc(meta.model.architecture || '?')}): ${modelTensors.length} weight tensors</h2>` +
      '<table class="ops"><tr><th>weight tensor</th><th>shape</th></tr>' +
      modelTensors.map((m) => `<tr><td>${esc(m.name)}</td><td>${esc((m.shape || []).join(' x '))}</td></tr>`).join('') + '</table>');
  }
  return chart;
}

// The bounds sweep: gates, edges (total and per component) and depth against the swept axis,
// log-log with the fitted power laws c * x^e, and depth on a linear axis.
export function renderBounds(host, bounds) {
  const axis = bounds.axis || 'tokens';
  const points = (bounds.points || []).filter((p) => p && Number.isFinite(p[axis]));
  host.innerHTML = `<h2>Bounds: size and depth against ${esc(axis)}</h2>` +
    `<p>${points.length} points` + (bounds.depth_independent_of_axis === true ? '; depth is independent of the axis' : bounds.depth_independent_of_axis === false ? '; depth depends on the axis' : '') + '.</p>';
  if (!points.length) { host.insertAdjacentHTML('beforeend', '<p class="warn">The bounds report has no points with this axis.</p>'); return []; }
  const xs = points.map((p) => p[axis]);
  const xmin = Math.min(...xs), xmax = Math.max(...xs);
  const curve = (fit) => {
    if (!fit || !Number.isFinite(fit.exponent) || !Number.isFinite(fit.coefficient)) return null;
    const pts = [];
    for (let i = 0; i <= 40; i++) { const x = xmin * Math.pow(xmax / xmin || 1, i / 40); pts.push({ x, y: fit.coefficient * Math.pow(x, fit.exponent) }); }
    return pts;
  };
  const charts = [];
  for (const what of ['edges', 'gates']) {
    const fits = (bounds.fits && bounds.fits[what]) || {};
    const series = [{ key: 'total', data: points.map((p) => ({ x: p[axis], y: p[what] })) }];
    const comps = new Set();
    for (const p of points) for (const c of Object.keys(p.components || {})) comps.add(c);
    for (const c of comps) series.push({ key: c, data: points.filter((p) => p.components && p.components[c] && p.components[c][what] > 0).map((p) => ({ x: p[axis], y: p.components[c][what] })) });
    const datasets = [];
    series.forEach((s, i) => {
      const color = COLORS[i % COLORS.length];
      datasets.push({ label: `${s.key}`, data: s.data.filter((d) => d.y > 0), borderColor: color, backgroundColor: color, showLine: false, pointRadius: 4 });
      const f = fits[s.key];
      const c = curve(f);
      if (c) datasets.push({ label: `${s.key} fit: ${fmt(f.coefficient)} ${axis}^${fmt(f.exponent)}`, data: c, borderColor: color, borderDash: [6, 4], pointRadius: 0, showLine: true, borderWidth: 1.5 });
    });
    const canvas = canvasIn(host, 'chart-wrap half');
    canvas.id = `bounds-${what}`;
    charts.push(new Chart(canvas, {
      type: 'scatter', data: { datasets },
      options: { animation: false, maintainAspectRatio: false,
        scales: { x: { type: 'logarithmic', title: { display: true, text: axis + ' (log)' } }, y: { type: 'logarithmic', title: { display: true, text: what + ' (log)' } } },
        plugins: { title: { display: true, text: `${what} against ${axis}` } } },
    }));
  }
  const canvas = canvasIn(host, 'chart-wrap half');
  canvas.id = 'bounds-depth';
  charts.push(new Chart(canvas, {
    type: 'scatter',
    data: { datasets: [{ label: 'depth', data: points.filter((p) => Number.isFinite(p.depth)).map((p) => ({ x: p[axis], y: p.depth })), borderColor: COLORS[3], backgroundColor: COLORS[3], showLine: true, pointRadius: 4 }] },
    options: { animation: false, maintainAspectRatio: false,
      scales: { x: { type: 'logarithmic', title: { display: true, text: axis + ' (log)' } }, y: { beginAtZero: true, title: { display: true, text: 'depth' } } },
      plugins: { title: { display: true, text: `depth against ${axis}` } } },
  }));
  return charts;
}

function fmt(v) { return Math.abs(v) >= 100 || Math.abs(v) < 0.01 ? Number(v).toExponential(2) : Number(v).toFixed(2); }
