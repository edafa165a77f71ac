// Gate level of one unit: its gates by logic level (inside the unit) as a Chart.js scatter plot,
// external inputs on row 0 named by their buses (e[3][0]) or source gates, outputs marked and named
// (x[0][2]); hover shows weights and theta and draws the gate's fan-ins; the critical path's gates
// in red. Zoom with the wheel, pan by dragging (chartjs-plugin-zoom).
import { Chart } from './chart_setup.js';
import { esc } from './format.js';

const MAX_EDGES_DRAWN = 4000;  // all internal edges drawn below this; above it only the hovered gate's

// Decodes a template (tools/explorer/site.cpp writes it): [theta] shares the previous gate's
// fan-in list; [theta, refs, weights] with refs 0 = the previous listed gate's refs, weights 1 = all
// ones, 0 = the previous listed gate's weights. Adds each gate's level inside the unit.
export function decodeTemplate(t) {
  const gates = [];
  let prev = null;
  for (const g of t.gates) {
    let own = prev;
    if (g.length > 1) {
      const refs = g[1] === 0 ? prev.refs : g[1];
      const weights = g[2] === 1 ? refs.map(() => 1) : g[2] === 0 ? prev.weights : g[2];
      own = { refs, weights };
    }
    gates.push({ theta: g[0], refs: own.refs, weights: own.weights });
    prev = own;
  }
  for (const g of gates) {
    let l = 0;
    for (const r of g.refs) if (r >= 0) l = Math.max(l, gates[r >> 1].level);
    g.level = l + 1;
  }
  return gates;
}

// Output gates of a unit: [local, names or null], from its difference-coded list.
export function unitOutputs(unitData) {
  const out = [];
  let local = 0;
  for (const d of unitData.out) { local += d; out.push([local, (unitData.outnames || {})[local] || null]); }
  return out;
}

export function gateKind(g) {
  const n = g.weights.length;
  if (!g.weights.every((w) => w === 1)) return 'TH';
  if (g.theta === n) return 'AND';
  if (g.theta === 1) return 'OR';
  if (n % 2 === 1 && g.theta === (n + 1) / 2) return 'MAJ';
  return 'TH';
}

// Names of the external inputs from the unit's groups [src, count, index differences...].
export function externalNames(meta, unitData, names) {
  const out = [];
  const ext = unitData.ext;
  for (let i = 0; i < ext.length;) {
    const src = ext[i], count = ext[i + 1];
    let idx = 0;
    for (let k = 0; k < count; k++) {
      idx += ext[i + 2 + k];
      if (src < 0) {
        const bus = meta.buses.inputs[-src - 1];
        out.push({ name: bus.width > 1 ? `${bus.name}[${idx}]` : bus.name, bus: bus.name });
      } else {
        const [leaf, index] = names[src] || [0, 0];
        out.push({ name: `${meta.nodes[leaf].path || '(top)'}#${index}:g${idx}`, leaf, index, gate: idx });
      }
    }
    i += 2 + count;
  }
  return out;
}

export function renderGates(host, meta, unit, tmpl, unitData, names, { critical, highlight, onInfo }) {
  const gates = decodeTemplate(tmpl);
  const ext = externalNames(meta, unitData, names);
  const outputs = unitOutputs(unitData);
  const outNames = new Map(outputs);
  // x position: rank within the level, centred.
  const byLevel = new Map();
  gates.forEach((g, i) => { if (!byLevel.has(g.level)) byLevel.set(g.level, []); byLevel.get(g.level).push(i); });
  const widest = Math.max(ext.length, ...[...byLevel.values()].map((v) => v.length));
  const pos = new Array(gates.length);
  for (const [, list] of byLevel) list.forEach((i, r) => { pos[i] = { x: r - (list.length - 1) / 2, y: gates[i].level }; });
  const extPos = ext.map((_, r) => ({ x: r - (ext.length - 1) / 2, y: 0 }));
  // A searched bus: its bits, complemented outputs ("~x[0][3]") included.
  const hl = (name) => {
    const n = name && name.replace(/^~/, '');
    return !!highlight && !!n && (n === highlight || n.startsWith(highlight + '['));
  };
  const critSet = new Set(critical);

  const inputPts = ext.map((e, i) => ({ ...extPos[i], label: e.name, kind: 'in', i }));
  const gatePts = gates.map((g, i) => ({ ...pos[i], label: `g${i}`, kind: 'gate', i }));
  // Colours: bits of a searched bus (orange) over the critical path (red, also drawn larger) over
  // outputs (green).
  const gateColor = gates.map((g, i) => (outNames.get(i) || []).some(hl) ? '#ff7f0e' : critSet.has(i) ? '#d62728' : outNames.has(i) ? '#2ca02c' : '#1f77b4');
  const inColor = ext.map((e) => hl(e.name) || hl(e.bus) ? '#ff7f0e' : '#888');

  let drawn = 0;
  for (const g of gates) drawn += g.refs.length;
  let internal = 0;
  for (const g of gates) for (const r of g.refs) internal += r >= 0 ? 1 : 0;
  const segs = (list, onlyInternal) => {
    const pts = [];
    for (const i of list) for (const r of gates[i].refs) {
      if (onlyInternal && r < 0) continue;
      const from = r >= 0 ? pos[r >> 1] : extPos[(-r - 1) >> 1];
      pts.push({ x: from.x, y: from.y }, { x: pos[i].x, y: pos[i].y }, { x: NaN, y: NaN });
    }
    return pts;
  };
  // Every edge when few; else the edges between the unit's gates when those are few; else none
  // (the hovered gate's fan-ins are always drawn).
  const everyGate = gates.map((_, i) => i);
  const allEdges = drawn <= MAX_EDGES_DRAWN ? segs(everyGate, false) : internal <= MAX_EDGES_DRAWN ? segs(everyGate, true) : [];
  const edgesLabel = drawn <= MAX_EDGES_DRAWN ? 'edges' : internal <= MAX_EDGES_DRAWN ? 'edges between gates (inputs: hover)' : 'edges: hover a gate';
  const critEdges = [];
  for (let k = 1; k < critical.length; k++) {
    const a = pos[critical[k - 1]], b = pos[critical[k]];
    if (a && b) critEdges.push({ x: a.x, y: a.y }, { x: b.x, y: b.y }, { x: NaN, y: NaN });
  }

  host.innerHTML = '';
  const wrap = document.createElement('div');
  wrap.className = 'chart-wrap';
  wrap.id = 'gate-view';
  wrap.dataset.gates = gates.length;
  wrap.dataset.inputs = ext.length;
  wrap.dataset.critical = critical.length;
  wrap.dataset.highlighted = gateColor.filter((c) => c === '#ff7f0e').length + inColor.filter((c) => c === '#ff7f0e').length;
  const canvas = document.createElement('canvas');
  wrap.appendChild(canvas);
  host.appendChild(wrap);
  const top = Math.max(1, ...gates.map((g) => g.level));
  const radius = gates.length > 2000 ? 2 : gates.length > 300 ? 3 : 5;
  const describe = (p) => {
    if (p.kind === 'in') return [`input ${p.i}: ${ext[p.i].name}`];
    const g = gates[p.i];
    const lines = [`g${p.i}  ${gateKind(g)}  level ${g.level} in the unit (circuit level >= ${unit.first + g.level - 1})`, `theta = ${g.theta}, fan-in ${g.refs.length}`];
    const shown = g.refs.slice(0, 10).map((r, k) => `${r & 1 ? '~' : ''}${r >= 0 ? 'g' + (r >> 1) : ext[(-r - 1) >> 1].name} x ${g.weights[k]}`);
    lines.push(...shown);
    if (g.refs.length > 10) lines.push(`... ${g.refs.length - 10} more`);
    if (outNames.has(p.i)) lines.push(`output${outNames.get(p.i) ? ': ' + outNames.get(p.i).join(', ') : ' (read by other units)'}`);
    if (critSet.has(p.i)) lines.push('on the critical path');
    return lines;
  };
  const chart = new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        { label: 'critical path', data: critEdges, showLine: true, borderColor: '#d62728', borderWidth: 2.5, pointRadius: 0, spanGaps: false, order: 0 },
        { label: 'hovered fan-ins', data: [], showLine: true, borderColor: '#ff7f0e', borderWidth: 1.5, pointRadius: 0, spanGaps: false, order: 1 },
        { label: edgesLabel, data: allEdges, showLine: true, borderColor: 'rgba(100,120,140,0.25)', borderWidth: 0.7, pointRadius: 0, spanGaps: false, order: 5 },
        { label: 'gates', data: gatePts, pointBackgroundColor: gateColor, pointBorderColor: gateColor, pointRadius: gatePts.map((p) => critSet.has(p.i) ? radius + 2 : radius), pointStyle: 'rect', order: 2 },
        { label: 'inputs', data: inputPts, pointBackgroundColor: inColor, pointBorderColor: inColor, pointRadius: radius, pointStyle: 'triangle', order: 3 },
      ],
    },
    options: {
      animation: false, maintainAspectRatio: false, parsing: false,
      scales: {
        x: { title: { display: true, text: `position in level (widest level: ${widest})` }, grid: { display: false },
          min: -widest / 2 - 1, max: widest / 2 + 1 },
        y: { title: { display: true, text: 'logic level inside the unit (0: inputs)' }, min: -0.5, max: top + 0.5,
          afterBuildTicks: (axis) => { axis.ticks = Array.from({ length: top + 1 }, (_, v) => ({ value: v })); } },
      },
      plugins: {
        legend: { labels: { filter: (item) => item.text !== 'hovered fan-ins' } },
        tooltip: { filter: (item) => item.dataset.label === 'gates' || item.dataset.label === 'inputs', callbacks: { label: (ctx) => describe(ctx.raw) } },
        zoom: { zoom: { wheel: { enabled: true }, mode: 'xy' }, pan: { enabled: true, mode: 'xy' } },
      },
      onHover: (ev, items) => {
        const it = items.find((x) => chart.data.datasets[x.datasetIndex].label === 'gates');
        const data = it ? segs([it.index], false) : [];
        if (chart.data.datasets[1].data.length !== data.length || data.length) {
          chart.data.datasets[1].data = data;
          chart.update('none');
        }
        if (it && onInfo) onInfo(describe(gatePts[it.index]));
      },
    },
  });
  return { chart, canvas, gates, ext, outputs };
}

// Names grouped by source, numbers as ranges: e[3][0], e[3][1], e[3][2] -> e[3][0..2];
// P#0:g4, P#0:g5, P#0:g9 -> P#0: g4..5, g9.
export function compactNames(names) {
  const groups = [];
  for (const n of names) {
    const m = /^(.*?)(\[|:g)(\d+)(\]?)$/.exec(n);
    const key = m ? m[1] + m[2] : n;
    const last = groups[groups.length - 1];
    if (m && last && last.key === key) { last.nums.push(Number(m[3])); continue; }
    groups.push(m ? { key, head: m[1], sep: m[2], close: m[4], nums: [Number(m[3])] } : { key, text: n });
  }
  return groups.map((g) => {
    if (g.text !== undefined) return g.text;
    const nums = [...new Set(g.nums)].sort((a, b) => a - b);
    const ranges = [];
    for (const v of nums) {
      const r = ranges[ranges.length - 1];
      if (r && r[1] + 1 === v) r[1] = v; else ranges.push([v, v]);
    }
    const list = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}..${b}`));
    const shown = list.length > 8 ? list.slice(0, 8).join(', ') + `, ... (${nums.length} in all)` : list.join(', ');
    return g.sep === '[' ? `${g.head}[${shown}]${g.close ? '' : ''}` : `${g.head}: g${shown}`;
  });
}

export function unitSummary(meta, leafPath, unit, tmpl, outputList, ext) {
  const inputs = compactNames(ext.map((e) => e.name));
  const outputs = outputList.map(([local, names]) => `g${local}` + (names ? ' = ' + names.join(', ') : ''));
  const list = (xs) => xs.slice(0, 40).map(esc).join('<br>') + (xs.length > 40 ? `<br>... ${xs.length - 40} more` : '');
  return `<b>${esc(leafPath)}#${unit.index}</b><br>${unit.gates} gates, ${unit.edges} edges, levels ${unit.first}..${unit.last}` +
    `<br>template ${unit.template} (shared by ${tmpl.uses} unit${tmpl.uses === 1 ? '' : 's'})` +
    `<h4>${tmpl.ext} inputs</h4><div class="names" id="unit-inputs">${list(inputs)}</div>` +
    `<h4>${outputList.length} outputs</h4><div class="names" id="unit-outputs">${list(outputs)}</div>`;
}
