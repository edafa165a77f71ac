// The picture of one inner node of the module tree: its children as boxes, laid out by ELK
// (layered, inputs on top), edges labelled with the number of wires; pan and zoom by d3-zoom.
import ELK from 'elkjs/lib/elk.bundled.js';
import { select } from 'd3-selection';
import { zoom, zoomIdentity } from 'd3-zoom';
import { human, pct, esc } from './format.js';

const elk = new ELK();
const SVG = 'http://www.w3.org/2000/svg';
const BOX_W = 210, BOX_H = 78, IO_W = 120, IO_H = 34;

function el(tag, attrs, parent) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (parent) parent.appendChild(e);
  return e;
}

function boxId(x) { return x === -1 ? 'inputs' : x === -2 ? 'outputs' : 'b' + x; }

// Renders node `id` of meta into `host`; onOpen(childId) is called on a click.
// status(node) may return {proved, refuted, inconclusive} counts for a badge.
export async function renderGraph(host, meta, id, { onOpen, onHover, status }) {
  const node = meta.nodes[id];
  const total = meta.nodes[0].gates || 1;
  const ids = new Set();
  for (const [from, to] of node.picture) { ids.add(from); ids.add(to); }
  for (const c of node.children) ids.add(c);
  const children = [...ids].map((x) => {
    const io = x < 0;
    return { id: boxId(x), width: io ? IO_W : BOX_W, height: io ? IO_H : BOX_H,
      layoutOptions: io ? { 'elk.layered.layering.layerConstraint': x === -1 ? 'FIRST' : 'LAST' } : {} };
  });
  const edges = node.picture.map(([from, to, wires], i) => ({
    id: 'e' + i, sources: [boxId(from)], targets: [boxId(to)],
    labels: [{ text: human(wires), width: 7 * human(wires).length + 6, height: 14 }],
  }));
  const layout = await elk.layout({
    id: 'root',
    layoutOptions: {
      'elk.algorithm': 'layered', 'elk.direction': 'DOWN', 'elk.edgeRouting': 'ORTHOGONAL',
      'elk.layered.spacing.nodeNodeBetweenLayers': '46', 'elk.spacing.nodeNode': '28',
      'elk.edgeLabels.placement': 'CENTER', 'elk.layered.considerModelOrder.strategy': 'NODES_AND_EDGES',
    },
    children, edges,
  });

  host.innerHTML = '';
  const svg = el('svg', { class: 'graph', width: '100%', height: '100%', 'data-node': id });
  host.appendChild(svg);
  el('style', {}, svg).textContent = GRAPH_STYLE;
  const root = el('g', {}, svg);
  const defs = el('defs', {}, svg);
  const marker = el('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '7', markerHeight: '7', orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#667788' }, marker);
  const markerC = el('marker', { id: 'arrow-crit', viewBox: '0 0 10 10', refX: '10', refY: '5', markerWidth: '6', markerHeight: '6', orient: 'auto-start-reverse' }, defs);
  el('path', { d: 'M0,0 L10,5 L0,10 z', fill: '#d62728' }, markerC);

  layout.edges.forEach((e, i) => {
    const [from, to, wires, critical] = node.picture[i];
    const g = el('g', { class: 'edge' + (critical ? ' critical' : ''), 'data-from': from, 'data-to': to }, root);
    for (const s of e.sections || []) {
      const pts = [s.startPoint, ...(s.bendPoints || []), s.endPoint];
      el('path', { d: 'M' + pts.map((p) => `${p.x},${p.y}`).join(' L'), 'marker-end': critical ? 'url(#arrow-crit)' : 'url(#arrow)' }, g);
    }
    for (const l of e.labels || []) {
      el('rect', { x: l.x - 2, y: l.y - 1, width: l.width, height: l.height, class: 'label-bg' }, g);
      el('text', { x: l.x + l.width / 2 - 2, y: l.y + 11, class: 'label' }, g).textContent = l.text;
    }
    el('title', {}, g).textContent = `${wires} wires`;
  });
  for (const c of layout.children) {
    const x = c.id === 'inputs' ? -1 : c.id === 'outputs' ? -2 : Number(c.id.slice(1));
    const g = el('g', { class: 'box', transform: `translate(${c.x},${c.y})`, 'data-id': x }, root);
    if (x < 0) {
      g.classList.add('io');
      el('rect', { width: c.width, height: c.height, rx: 16 }, g);
      el('text', { x: c.width / 2, y: 21, class: 'io-name' }, g).textContent = x === -1 ? 'inputs' : 'outputs';
      continue;
    }
    const n = meta.nodes[x];
    if (n.critical) g.classList.add('critical');
    const share = n.gates / total;
    el('rect', { width: c.width, height: c.height, rx: 6, style: `fill:${shade(share)}` }, g);
    el('text', { x: 8, y: 18, class: 'name' }, g).textContent = clip(n.name, 28);
    el('text', { x: 8, y: 36, class: 'stat' }, g).textContent = `${human(n.gates)} gates, ${human(n.edges)} edges`;
    el('text', { x: 8, y: 52, class: 'stat' }, g).textContent = `levels ${n.first_level}..${n.last_level}, depth ${n.depth_inside}`;
    el('text', { x: 8, y: 68, class: 'stat' }, g).textContent = `${pct(n.gates, total)} of gates` + (n.children.length ? `, ${n.children.length} parts` : n.units > 1 ? `, ${n.units} units` : '');
    const st = status && status(n);
    if (st) {
      const badge = el('g', { class: 'badge ' + st.kind, transform: `translate(${c.width - 16},4)` }, g);
      el('circle', { r: 6, cx: 6, cy: 6 }, badge);
      el('title', {}, badge).textContent = st.text;
    }
    el('title', {}, g).textContent = `${n.path}\n${n.gates} gates, ${n.edges} edges, levels ${n.first_level}..${n.last_level}, depth ${n.depth_inside}` + (st ? `\n${st.text}` : '');
    g.addEventListener('click', () => onOpen(x));
    g.addEventListener('mouseenter', () => onHover && onHover(x));
  }
  // Pan and zoom; start fitted to the host.
  const W = host.clientWidth || 900, H = host.clientHeight || 600;
  // Fit the picture, but keep its text readable: a long chain starts at its top, to be panned.
  const k = Math.max(0.55, Math.min(1.2, W / (layout.width + 40), H / (layout.height + 40)));
  const z = zoom().scaleExtent([0.05, 8]).on('zoom', (ev) => root.setAttribute('transform', ev.transform.toString()));
  select(svg).call(z).call(z.transform, zoomIdentity.translate((W - layout.width * k) / 2, 20).scale(k));
  svg.dataset.width = layout.width;
  svg.dataset.height = layout.height;
  return svg;
}

function clip(s, n) { return s.length > n ? s.slice(0, n - 1) + '…' : s; }
// Box fill from its share of the circuit's gates (light to darker blue).
function shade(share) {
  const t = Math.min(1, Math.sqrt(share));
  const mix = (a, b) => Math.round(a + (b - a) * t);
  return `rgb(${mix(238, 158)},${mix(243, 190)},${mix(251, 235)})`;
}

const GRAPH_STYLE = `
  .box rect { stroke: #6a7f99; stroke-width: 1; cursor: pointer; }
  .box.io rect { fill: #f3f3f3; stroke: #999; cursor: default; }
  .box.critical rect { stroke: #d62728; stroke-width: 2.5; }
  .box:hover rect { stroke-width: 2.5; }
  .box text { font: 11px sans-serif; fill: #223; pointer-events: none; }
  .box text.name { font-weight: bold; font-size: 12px; }
  .box text.io-name { text-anchor: middle; font-style: italic; }
  .edge path { fill: none; stroke: #8899aa; stroke-width: 1.2; }
  .edge.critical path { stroke: #d62728; stroke-width: 2.5; }
  .edge text.label { font: 10px sans-serif; fill: #345; text-anchor: middle; }
  .edge rect.label-bg { fill: #fff; opacity: 0.85; }
  .badge circle { stroke: #333; stroke-width: 0.5; }
  .badge.proved circle { fill: #2ca02c; } .badge.refuted circle { fill: #d62728; } .badge.inconclusive circle { fill: #ff9f1c; }
`;
