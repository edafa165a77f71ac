// Drives the explorer site in Debian's Chromium (headless, through playwright-core; no browser is
// downloaded) and checks what a person would: no console errors, the expected modules on the first
// view, the critical path highlighted, a click opens a module's children, walking the critical path
// down reaches a gate-level view with gates, search finds a bus, and a screenshot that is not blank.
//
//   node explorer_browser.cjs SITE [--expect a,b] [--bus NAME] [--walk MODULE] [--screenshot OUT.png]
//        [--expect-message REGEX --route HASH] [--timing OUT.json]
// Exits 0 when every check passes, 1 with one line per failed check otherwise.
const { chromium } = require('playwright-core');
const fs = require('fs');
const os = require('os');
const path = require('path');

const args = { expect: [], bus: '', walk: '', screenshot: '', expectMessage: '', route: '', timing: '' };
const argv = process.argv.slice(2);
const site = argv.shift();
for (let i = 0; i < argv.length; i += 2) {
  const [k, v] = [argv[i], argv[i + 1]];
  if (k === '--expect') args.expect = v.split(',').filter(Boolean);
  else if (k === '--bus') args.bus = v;
  else if (k === '--walk') args.walk = v;
  else if (k === '--screenshot') args.screenshot = v;
  else if (k === '--expect-message') args.expectMessage = v;
  else if (k === '--route') args.route = v;
  else if (k === '--timing') args.timing = v;
  else { console.error(`unknown option ${k}`); process.exit(2); }
}
if (!site || !fs.existsSync(path.join(site, 'index.html'))) { console.error(`usage: explorer_browser.cjs SITE ...; no ${site}/index.html`); process.exit(2); }

const failures = [];
const check = (ok, what) => { console.log(`${ok ? 'PASS' : 'FAIL'} ${what}`); if (!ok) failures.push(what); };

async function ready(page) {
  await page.waitForFunction(() => window.tc0xState && window.tc0xState.ready, null, { timeout: 30000 });
  return page.evaluate(() => window.tc0xState.renderMs);
}
async function go(page, hash) {
  await page.evaluate((h) => { window.tc0xState.ready = false; location.hash = h; }, hash);
  return ready(page);
}

// The share of the most common colour (a blank page is one colour) and the number of colours.
async function screenshotStats(page, png) {
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = 'data:image/png;base64,' + b64;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width; c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    const d = ctx.getImageData(0, 0, c.width, c.height).data;
    const count = new Map();
    for (let i = 0; i < d.length; i += 4) {
      const k = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      count.set(k, (count.get(k) || 0) + 1);
    }
    return { width: c.width, height: c.height, dominant: Math.max(...count.values()) / (d.length / 4), colours: count.size };
  }, png.toString('base64'));
}

(async () => {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tc0x-chromium-'));
  // A fresh profile folder each run (playwright passes it as --user-data-dir).
  const browser = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1400, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  try {
    const page = browser.pages()[0] || await browser.newPage();
    const errors = [];
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    page.on('pageerror', (e) => errors.push(String(e)));
    const url = 'file://' + path.resolve(site, 'index.html') + (args.route || '');
    const t0 = Date.now();
    await page.goto(url);
    const firstMs = await ready(page);
    const firstWall = Date.now() - t0;
    console.log(`first view: ${firstMs.toFixed(0)} ms to render, ${firstWall} ms from navigation`);

    if (args.expectMessage) {
      // Bad-input mode: the page must say what is wrong, not go blank or throw.
      const msg = await page.evaluate(() => { const m = document.getElementById('message'); return m && !m.hidden ? m.textContent : ''; });
      check(new RegExp(args.expectMessage).test(msg), `message /${args.expectMessage}/ shown (got: ${msg || 'none'})`);
      const pageErrors = errors.filter((e) => !/Failed to load resource|ERR_FILE_NOT_FOUND/.test(e));
      check(pageErrors.length === 0, `no script errors (${pageErrors.join(' | ') || 'none'})`);
    } else {
      const boxes = await page.$$eval('svg.graph .box text.name', (ts) => ts.map((t) => t.textContent));
      const flat = boxes.length === 0;
      if (flat) console.log('no module picture on the first view (a circuit without module tags)');
      for (const name of args.expect) check(boxes.some((b) => b === name || b.startsWith(name)), `module ${name} on the first view (boxes: ${boxes.slice(0, 12).join(', ')})`);
      if (!flat) {
        check(await page.$$eval('svg.graph .box.critical', (x) => x.length) > 0, 'critical path highlights a box on the first view');
        check(await page.$$eval('svg.graph .edge.critical', (x) => x.length) > 0, 'critical path highlights an edge on the first view');
        check(await page.$$eval('svg.graph .edge text.label', (x) => x.length) > 0, 'edges are labelled with wire counts');
      }
      // Walk the critical path down: click the critical box until a gate-level view appears.
      const openMs = [];
      let gateView = await page.$('#gate-view');
      for (let step = 0; step < 12 && !gateView; step++) {
        const before = await page.evaluate(() => location.hash);
        const target = await page.$('svg.graph .box.critical:not(.io)') || await page.$('svg.graph .box:not(.io)');
        if (target) {
          const name = await target.$eval('text.name', (t) => t.textContent);
          await page.evaluate(() => { window.tc0xState.ready = false; });
          await target.click();
          openMs.push(await ready(page));
          const after = await page.evaluate(() => location.hash);
          const crumbs = await page.$eval('#crumbs', (c) => c.textContent);
          if (step === 0) check(after !== before && crumbs.includes(name.replace('…', '')), `clicking ${name} opens it (${before} -> ${after}, crumbs: ${crumbs})`);
        } else {
          const unit = await page.$('table.units tr.critical a') || await page.$('table.units a');
          if (!unit) break;
          await page.evaluate(() => { window.tc0xState.ready = false; });
          await unit.click();
          openMs.push(await ready(page));
        }
        gateView = await page.$('#gate-view');
      }
      check(!!gateView, 'walking down the critical path reaches a gate-level view');
      if (gateView) {
        const gates = Number(await gateView.getAttribute('data-gates'));
        const crit = Number(await gateView.getAttribute('data-critical'));
        check(gates > 0, `the gate-level view shows its gates (${gates})`);
        check(crit > 0, `the gate-level view highlights critical-path gates (${crit})`);
        // Hover the first gate: its weights and theta appear.
        const at = await page.evaluate(() => {
          const chart = window.tc0xState.charts[window.tc0xState.charts.length - 1];
          const meta = chart.getDatasetMeta(chart.data.datasets.findIndex((d) => d.label === 'gates'));
          const r = chart.canvas.getBoundingClientRect();
          return { x: r.left + meta.data[0].x, y: r.top + meta.data[0].y };
        });
        await page.mouse.move(at.x, at.y);
        await page.waitForFunction(() => /theta/.test(document.getElementById('hover-info').textContent), null, { timeout: 5000 }).catch(() => {});
        const hover = await page.$eval('#hover-info', (h) => h.textContent);
        check(/theta = /.test(hover) && / x /.test(hover), `hovering a gate shows its theta and weights (${hover.slice(0, 80)})`);
      }
      if (args.screenshot) {
        const png = await page.screenshot({ path: args.screenshot });
        const st = await screenshotStats(page, png);
        check(st.dominant < 0.97 && st.colours >= 16, `screenshot ${args.screenshot} is not blank (most common colour ${(100 * st.dominant).toFixed(1)}%, ${st.colours} colours)`);
      }
      if (args.bus) {
        await go(page, '#/n/0');
        await page.fill('#search-input', args.bus);
        const results = await page.$$eval('#search-results a', (as) => as.map((a) => a.textContent));
        check(results.some((r) => r.includes(`bus ${args.bus} `)), `search finds bus ${args.bus} (${results.slice(0, 3).join('; ')})`);
        const link = await page.$('#search-results a');
        if (link) {
          await page.evaluate(() => { window.tc0xState.ready = false; });
          await link.click();
          await ready(page);
          const hl = await page.$('#gate-view');
          check(!!hl, `the search result for ${args.bus} opens the gate-level view that reads or drives it`);
          const n = hl ? Number(await hl.getAttribute('data-highlighted')) : 0;
          check(n > 0, `that view highlights the bits of ${args.bus} (${n})`);
        }
      }
      // Walk from a searched module down to one of its gates (the first box at every level).
      if (args.walk) {
        await go(page, '#/n/0');
        await page.fill('#search-input', args.walk);
        const link = await page.$('#search-results a[href^="#/n/"]');
        check(!!link, `search finds module ${args.walk}`);
        if (link) {
          await page.evaluate(() => { window.tc0xState.ready = false; });
          await link.click();
          await ready(page);
          for (let step = 0; step < 12 && !(await page.$('#gate-view')); step++) {
            const next = await page.$('svg.graph .box:not(.io)') || await page.$('table.units a');
            if (!next) break;
            await page.evaluate(() => { window.tc0xState.ready = false; });
            await next.click();
            await ready(page);
          }
          const gv = await page.$('#gate-view');
          const crumbs = await page.$eval('#crumbs', (c) => c.textContent);
          check(!!gv && Number(await gv.getAttribute('data-gates')) > 0, `walking into ${args.walk} reaches its gates (${crumbs})`);
        }
      }
      // Export of the module picture: SVG markup and a PNG file.
      await go(page, '#/n/0');
      if (await page.$('svg.graph')) {
        for (const [button, test, what] of [['#export-svg', (b) => b.toString('utf8', 0, 200).includes('<svg'), 'SVG'],
          ['#export-png', (b) => b.length > 1000 && b.readUInt32BE(0) === 0x89504e47, 'PNG']]) {
          const [download] = await Promise.all([page.waitForEvent('download', { timeout: 10000 }), page.click(button)]);
          const file = await download.path();
          check(!!file && test(fs.readFileSync(file)), `export as ${what} writes ${download.suggestedFilename()}`);
        }
      }
      if (await page.evaluate(() => window.tc0xState.hasVerify)) {
        check(await page.$$eval('svg.graph .badge', (x) => x.length) > 0, 'the proof status shows as badges on the boxes');
      }
      // Every view kind renders: depth profile and ops.
      await go(page, '#/profile/0');
      check(!!(await page.$('#profile-chart')), 'the depth profile renders');
      await go(page, '#/ops');
      check(!!(await page.$('#ops-chart')), 'the op breakdown renders');
      if (await page.evaluate(() => !document.getElementById('tab-bounds').hidden)) {
        await go(page, '#/bounds');
        check(!!(await page.$('#bounds-edges')) && !!(await page.$('#bounds-depth')), 'the bounds plots render');
      }
      if (args.timing) {
        // Benchmark: every module of the tree opened by URL, and the largest gate-level unit.
        const nodes = await page.evaluate(() => window.tc0xState.nodeCount || 0);
        // Every leaf also opens its largest unit at gate level (read from the site's data/n/ID.js).
        const times = [], unitTimes = [];
        for (let id = 0; id < nodes; id++) {
          times.push({ id, ms: await go(page, `#/n/${id}`) });
          const text = fs.readFileSync(path.join(site, 'data', 'n', `${id}.js`), 'utf8');
          const units = JSON.parse(text.slice(text.indexOf(', {') + 2, text.lastIndexOf(')'))).units.filter((u) => u[6] >= 0);
          if (!units.length) continue;
          const largest = units.reduce((a, b) => (b[2] > a[2] ? b : a));
          const ms = await go(page, `#/g/${id}/${largest[1]}`);
          unitTimes.push({ id, unit: largest[1], gates: largest[2], edges: largest[3], ms });
        }
        times.sort((a, b) => b.ms - a.ms);
        unitTimes.sort((a, b) => b.ms - a.ms);
        fs.writeFileSync(args.timing, JSON.stringify({ first_view_ms: firstMs, first_view_wall_ms: firstWall, modules: times.length,
          slowest_module_ms: times[0] ? times[0].ms : 0, slowest: times.slice(0, 5), units_opened: unitTimes.length,
          slowest_unit_ms: unitTimes[0] ? unitTimes[0].ms : 0, slowest_units: unitTimes.slice(0, 5), walk_ms: openMs }, null, 2));
        console.log(`timing: first view ${firstMs.toFixed(0)} ms; ${times.length} modules, slowest ${times[0] ? times[0].ms.toFixed(0) : 0} ms ` +
          `(#${times[0] && times[0].id}); ${unitTimes.length} gate-level units, slowest ${unitTimes[0] ? unitTimes[0].ms.toFixed(0) : 0} ms`);
      }
      check(errors.length === 0, `no console errors (${errors.join(' | ') || 'none'})`);
    }
  } finally {
    await browser.close();
    fs.rmSync(profile, { recursive: true, force: true });
  }
  if (failures.length) { console.log(`${failures.length} check(s) failed`); process.exit(1); }
  console.log('all checks passed');
})().catch((e) => { console.error(`explorer_browser: ${e.stack || e}`); process.exit(1); });
