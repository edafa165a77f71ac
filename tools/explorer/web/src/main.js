// The tc0flow circuit explorer: routes (URL hash) to views of the module tree, gate-level units,
// the depth profile, the op breakdown and the bounds; search; export. Data comes in chunks
// (data.js); nothing here loads the whole gate list.
import './style.css';
import { load, DataError } from './data.js';
import { renderGraph } from './graph.js';
import { renderGates, unitSummary } from './gates.js';
import { renderProfile, renderOps, renderBounds } from './charts.js';
import { exportSvg, exportPng } from './export.js';
import { esc, human, pct } from './format.js';

const SITE_FORMAT = 1;
const $ = (id) => document.getElementById(id);
const state = { ready: false, route: '', renderMs: 0, errors: [], charts: [] };
window.tc0xState = state;  // read by the browser tests (tests/tools/explorer_browser.cjs)
let meta = null, verify = null, bounds = null;

function message(text, kind = 'error') {
  const m = $('message');
  m.hidden = false;
  m.className = kind;
  m.textContent = text;
  if (kind === 'error') state.errors.push(text);
}
function clearMessage() { $('message').hidden = true; }

window.addEventListener('error', (e) => message(`The explorer hit an error: ${e.message}`));
window.addEventListener('unhandledrejection', (e) => message(e.reason instanceof DataError ? e.reason.message : `The explorer hit an error: ${e.reason}`));

function nodeLabel(id) { return id === 0 ? (meta.title || 'circuit') : meta.nodes[id].name; }

function crumbs(id, tail) {
  const parts = [];
  for (let n = id; n >= 0; n = meta.nodes[n].parent) parts.unshift(n);
  $('crumbs').innerHTML = parts.map((n) => `<a href="#/n/${n}" data-node="${n}">${esc(nodeLabel(n))}</a>`).join(' / ') + (tail ? ` / <span>${esc(tail)}</span>` : '');
}

function nodeInfo(id) {
  const n = meta.nodes[id], root = meta.nodes[0];
  let html = `<h3>${esc(n.path || meta.title || 'circuit')}</h3><table>` +
    `<tr><td>gates</td><td>${n.gates.toLocaleString()} (${pct(n.gates, root.gates)})</td></tr>` +
    `<tr><td>edges</td><td>${n.edges.toLocaleString()} (${pct(n.edges, root.edges)})</td></tr>` +
    `<tr><td>levels</td><td>${n.first_level}..${n.last_level}</td></tr>` +
    `<tr><td>depth inside</td><td>${n.depth_inside}</td></tr>` +
    `<tr><td>module</td><td>${esc(n.module || '(top)')}</td></tr>` +
    `<tr><td>critical path</td><td>${n.critical ? 'passes through' : 'does not pass'}</td></tr></table>`;
  if (id === 0) html += `<p class="line">${esc(meta.stats.line || '')}</p>`;
  const st = statusOf(n);
  if (st) html += `<p>proofs: ${esc(st.text)}</p>`;
  html += `<p><a href="#/profile/${id}">depth profile</a></p>`;
  return html;
}

// Whether module path a lies in module path b ("step0/blocks.0.attn.q/linear" lies in
// "step0/blocks.0": tensor names continue a block's name with a dot).
function inside(a, b) { return a === b || a.startsWith(b + '/') || a.startsWith(b + '.'); }

// Proof status of the ops under a node (or of the op a node lies in), from the verification report.
function statusOf(n) {
  if (!verify || !Array.isArray(verify.ops)) return null;
  const c = { proved: 0, refuted: 0, inconclusive: 0 };
  let any = false;
  for (const op of verify.ops) {
    if (!op || typeof op.module !== 'string' || !(op.status in c)) continue;
    if (n.module === '' || inside(op.module, n.module) || inside(n.module, op.module)) { c[op.status]++; any = true; }
  }
  if (!any) return null;
  const kind = c.refuted ? 'refuted' : c.inconclusive ? 'inconclusive' : 'proved';
  return { kind, text: `${c.proved} proved, ${c.refuted} refuted, ${c.inconclusive} inconclusive` };
}

function setTab(name) {
  for (const a of document.querySelectorAll('#tabs a')) a.classList.toggle('active', a.dataset.tab === name);
}

function destroyCharts() { for (const c of state.charts) c.destroy(); state.charts = []; }

async function showNode(id, page = 0) {
  const n = meta.nodes[id];
  if (!n) throw new DataError(`There is no module #${id} in this circuit.`);
  setTab('graph');
  crumbs(id);
  $('info').innerHTML = nodeInfo(id);
  if (n.children.length) {
    await renderGraph($('view'), meta, id, {
      onOpen: (c) => { location.hash = `#/n/${c}`; },
      onHover: (c) => { $('info').innerHTML = nodeInfo(c); },
      status: statusOf,
    });
    return;
  }
  const data = await load(`n/${id}`);
  const units = data.units.map(([uid, index, gates, edges, first, last, template, critical]) => ({ uid, index, gates, edges, first, last, template, critical }));
  if (units.length === 1 && units[0].template >= 0) return showUnit(id, 0, '');
  renderUnitList(id, units, page);
}

const UNITS_PER_PAGE = 500;

function renderUnitList(id, units, page) {
  const n = meta.nodes[id];
  const templates = new Set(units.filter((u) => u.template >= 0).map((u) => u.template));
  const crit = units.filter((u) => u.critical);
  const limit = meta.limits.template_gates;
  let html = `<h2 class="unit-list-title">${esc(n.path || 'circuit')}: ${units.length} unit${units.length === 1 ? '' : 's'}</h2>` +
    `<p>A unit is one instance of this gadget (one call of the op). ${templates.size} distinct template${templates.size === 1 ? '' : 's'} among the units of at most ${limit} gates` +
    (crit.length ? `; the critical path passes unit <a href="#/g/${id}/${crit[0].index}">#${crit[0].index}</a>` : '') + '.</p>';
  if (!units.some((u) => u.template >= 0)) html += `<p class="warn">Every unit here has more than ${limit} gates: no gate-level view (see its depth profile).</p>`;
  const pages = Math.ceil(units.length / UNITS_PER_PAGE);
  page = Math.min(Math.max(0, page), pages - 1);
  const pager = pages > 1 ? '<p class="pager">units ' + Array.from({ length: pages }, (_, p) => p === page
    ? `<b>${p * UNITS_PER_PAGE}..${Math.min(units.length, (p + 1) * UNITS_PER_PAGE) - 1}</b>`
    : `<a href="#/n/${id}/${p}">${p * UNITS_PER_PAGE}..${Math.min(units.length, (p + 1) * UNITS_PER_PAGE) - 1}</a>`).join(' | ') + '</p>' : '';
  html += pager + '<table class="units"><tr><th>unit</th><th>gates</th><th>edges</th><th>levels</th><th>template</th></tr>';
  for (const u of units.slice(page * UNITS_PER_PAGE, (page + 1) * UNITS_PER_PAGE)) {
    const link = u.template >= 0 ? `<a href="#/g/${id}/${u.index}">#${u.index}</a>` : `#${u.index}`;
    html += `<tr class="${u.critical ? 'critical' : ''}"><td>${link}</td><td>${u.gates}</td><td>${u.edges}</td><td>${u.first}..${u.last}</td><td>${u.template >= 0 ? u.template : `&gt; ${limit} gates`}</td></tr>`;
  }
  html += '</table>' + pager;
  $('view').innerHTML = html;
}

async function showUnit(leaf, index, highlight) {
  const n = meta.nodes[leaf];
  if (!n) throw new DataError(`There is no module #${leaf} in this circuit.`);
  setTab('graph');
  crumbs(leaf, `#${index}`);
  const data = await load(`n/${leaf}`);
  const row = data.units.find((u) => u[1] === index);
  if (!row) throw new DataError(`${n.path} has no unit #${index}.`);
  const [uid, , gates, edges, first, last, template] = row;
  const unit = { uid, index, gates, edges, first, last, template };
  if (template < 0) {
    $('view').innerHTML = `<p class="warn">Unit #${index} of ${esc(n.path)} has ${gates} gates, more than the gate-level limit of ${meta.limits.template_gates}.</p>`;
    return;
  }
  const chunk = await load(`u/${leaf}_${Math.floor(index / meta.limits.units_per_chunk)}`);
  const unitData = chunk.units[uid];
  if (!unitData) throw new DataError(`The data of unit #${index} of ${n.path} is missing; re-run tc0flow view.`);
  const tmpl = await load(`t/${template}`);
  const critical = meta.critical_path.filter((p) => p.uid === uid).map((p) => p.local);
  const view = renderGates($('view'), meta, unit, tmpl, unitData, chunk.names, {
    critical, highlight,
    onInfo: (lines) => { const h = $('hover-info'); if (h) h.innerHTML = lines.map(esc).join('<br>'); },
  });
  $('info').innerHTML = (critical.length ? `<p class="crit">${critical.length} gate${critical.length === 1 ? '' : 's'} of the critical path (red)</p>` : '') +
    '<div id="hover-info" class="hover">hover a gate for its weights and theta</div>' + unitSummary(meta, n.path, unit, tmpl, view.outputs, view.ext);
  state.charts.push(view.chart);
}

async function showProfile(id) {
  const n = meta.nodes[id];
  if (!n) throw new DataError(`There is no module #${id} in this circuit.`);
  setTab('profile');
  crumbs(id, 'depth profile');
  $('info').innerHTML = nodeInfo(id);
  const data = await load(`n/${id}`);
  const draw = (log) => {
    destroyCharts();
    state.charts.push(renderProfile($('view'), n, data.profile, { log }));
    $('profile-log').addEventListener('change', (e) => draw(e.target.checked));
  };
  draw(false);
}

async function showOps() {
  setTab('ops');
  $('crumbs').innerHTML = '<a href="#/n/0">circuit</a> / <span>ops</span>';
  $('info').innerHTML = nodeInfo(0);
  state.charts.push(renderOps($('view'), meta, verify));
}

async function showBounds() {
  setTab('bounds');
  $('crumbs').innerHTML = '<a href="#/n/0">circuit</a> / <span>bounds</span>';
  if (!meta.has_bounds) { $('view').innerHTML = '<p>No bounds report: run <code>tc0flow view FILE -o DIR --bounds bounds.json</code>.</p>'; return; }
  bounds = bounds || await load('bounds');
  state.charts.push(...renderBounds($('view'), bounds));
}

async function route() {
  const hash = location.hash || '#/n/0';
  const t0 = performance.now();
  state.ready = false;
  state.route = hash;
  clearMessage();
  destroyCharts();
  const parts = hash.slice(2).split('/').map(decodeURIComponent);
  try {
    if (parts[0] === 'n') await showNode(Number(parts[1]) || 0, Number(parts[2]) || 0);
    else if (parts[0] === 'g') await showUnit(Number(parts[1]), Number(parts[2]), parts[3] || '');
    else if (parts[0] === 'profile') await showProfile(Number(parts[1]) || 0);
    else if (parts[0] === 'ops') await showOps();
    else if (parts[0] === 'bounds') await showBounds();
    else await showNode(0);
  } catch (e) {
    $('view').innerHTML = '';
    message(e instanceof DataError ? e.message : `The explorer hit an error: ${e && e.message}`);
  }
  if (state.route === hash) {
    state.renderMs = performance.now() - t0;
    state.ready = true;
  }
}

// Search: modules by path or tagged name, buses by name.
function search(q) {
  q = q.trim().toLowerCase();
  const out = [];
  if (!q) return out;
  for (const [kind, list] of [['input', meta.buses.inputs], ['output', meta.buses.outputs]]) {
    for (const b of list) {
      const name = b.name.toLowerCase();
      if (name === q || name.includes(q)) out.push({ score: name === q ? 0 : 2, text: `${kind} bus ${b.name} (${b.width} bits)`, href: b.unit ? `#/g/${b.unit.leaf}/${b.unit.index}/${encodeURIComponent(b.name)}` : '#/n/0' });
    }
  }
  meta.nodes.forEach((n, id) => {
    const p = n.path.toLowerCase(), m = n.module.toLowerCase();
    if (id && (p.includes(q) || m.includes(q))) out.push({ score: n.name.toLowerCase() === q ? 1 : 3, text: `module ${n.path} (${human(n.gates)} gates)`, href: `#/n/${id}` });
  });
  return out.sort((a, b) => a.score - b.score).slice(0, 40);
}

function setupSearch() {
  const input = $('search-input'), list = $('search-results');
  const show = () => {
    const res = search(input.value);
    list.innerHTML = res.length ? res.map((r) => `<li><a href="${r.href}">${esc(r.text)}</a></li>`).join('') : (input.value.trim() ? '<li class="none">no module or bus matches</li>' : '');
    list.hidden = !input.value.trim();
  };
  input.addEventListener('input', show);
  $('search').addEventListener('submit', (e) => {
    e.preventDefault();
    const first = search(input.value)[0];
    if (first) { location.hash = first.href; list.hidden = true; }
  });
  list.addEventListener('click', (e) => { if (e.target.closest('a')) list.hidden = true; });
}

function setupExport() {
  const name = () => (meta.title || 'circuit').replace(/[^A-Za-z0-9_.-]+/g, '_') + '_' + state.route.replace(/[^A-Za-z0-9]+/g, '_');
  $('export-svg').addEventListener('click', () => exportSvg($('view'), name()));
  $('export-png').addEventListener('click', () => exportPng($('view'), name()));
}

async function start() {
  try {
    meta = await load('meta');
  } catch (e) {
    $('view').innerHTML = '';
    message(e.message + ' (data/meta.js holds the circuit; without it nothing can be shown.)');
    state.ready = true;
    return;
  }
  if (meta.format !== SITE_FORMAT) {
    message(`data/meta.js has site format ${meta.format}, this app reads format ${SITE_FORMAT}: the app and the data come from different tc0flow versions. Re-run tc0flow view.`);
    state.ready = true;
    return;
  }
  state.nodeCount = meta.nodes.length;
  state.hasVerify = !!meta.has_verify;
  $('title').textContent = `${meta.title}: ${human(meta.nodes[0].gates)} gates, ${human(meta.nodes[0].edges)} edges, depth ${meta.stats.depth}`;
  document.title = `${meta.title} - tc0flow explorer`;
  $('tab-bounds').hidden = !meta.has_bounds;
  if (meta.has_verify) {
    try { verify = await load('verify'); } catch (e) { message(e.message); }
  }
  setupSearch();
  setupExport();
  window.addEventListener('hashchange', route);
  await route();
}

start();
