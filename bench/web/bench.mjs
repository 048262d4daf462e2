// Browser app benchmark: (a) time to first map render with the demo data, (b) 100,000 points of one
// type: load time and panning fps with clustering, (c) gzip size of web/dist.
// usage: DEJIMA_BIN=/path/to/dejima node bench/web/bench.mjs   (build web/ first: npm run build)
// Runs headless /usr/bin/chromium (WebGL through SwiftShader, i.e. on the CPU).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, dirname } from 'node:path';
import { createServer } from 'node:net';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const WEB = resolve(HERE, '../../web');
const require = createRequire(join(WEB, 'package.json'));
const { chromium } = require('playwright-core');
const BIN = process.env.DEJIMA_BIN;
if (!BIN) throw new Error('DEJIMA_BIN must name the dejima server binary');
const SHARED = resolve(process.env.DEJIMA_SHARED_DATA ?? join(WEB, '../../shared/data'));
const N = Number(process.env.BENCH_POINTS ?? 100000);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'];

const freePort = () => new Promise((res) => { const s = createServer(); s.listen(0, '127.0.0.1', () => { const p = s.address().port; s.close(() => res(p)); }); });
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function start(extra) {
  const dir = mkdtempSync(join(tmpdir(), 'dejima-bench-'));
  const port = await freePort();
  const proc = spawn(BIN, ['serve', '--data-dir', dir, '--port', String(port), '--log-level', 'warn', '--demo', '--demo-data', SHARED, '--web-root', join(WEB, 'dist'), '--sync', 'normal', ...extra], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 600; i++) {
    try {
      // The demo connectors run one at a time, Shimabara's tourist sites last: the page is timed
      // once the import is over, not while it competes with it.
      const r = await fetch(`${url}/ngsi-ld/v1/entities?type=TouristAttraction&limit=1&count=true`);
      if (Number(r.headers.get('NGSILD-Results-Count')) > 0) break;
    } catch { /* not yet */ }
    await sleep(200);
  }
  return { url, stop: async () => { proc.kill('SIGTERM'); await new Promise((r) => proc.once('exit', r)); rmSync(dir, { recursive: true, force: true }); } };
}

async function firstRender(browser, url, path) {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(url + path);
  await page.waitForFunction(() => window.__dejima?.ready === true && window.__dejima.firstIdleMs, null, { timeout: 300_000 });
  const ms = await page.evaluate(() => window.__dejima.firstIdleMs);
  return { page, ms };
}

async function panFps(page, seconds) {
  return page.evaluate(async (secs) => {
    const map = window.__dejima.map;
    let frames = 0;
    let renders = 0;
    map.on('render', () => renders++);
    const t0 = performance.now();
    let dir = 1;
    let i = 0;
    await new Promise((done) => {
      const step = () => {
        frames++;
        if (++i % 60 === 0) dir = -dir;
        map.panBy([12 * dir, 6 * dir], { duration: 0 });
        if (performance.now() - t0 < secs * 1000) requestAnimationFrame(step);
        else done();
      };
      requestAnimationFrame(step);
    });
    const el = (performance.now() - t0) / 1000;
    return { fps: frames / el, renders: renders / el };
  }, seconds);
}

function distGzip() {
  let raw = 0, gz = 0;
  const walk = (d) => { for (const f of readdirSync(d)) { const p = join(d, f); if (statSync(p).isDirectory()) walk(p); else { const b = readFileSync(p); raw += b.length; gz += gzipSync(b, { level: 9 }).length; } } };
  walk(join(WEB, 'dist'));
  return { raw, gz };
}

const rows = [];
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ARGS });
try {
  // (a) demo data, default view (all layers)
  let s = await start(['--bootstrap-operator-password', 'operator-pass-123']);
  const times = [];
  for (let i = 0; i < 3; i++) {
    const { page, ms } = await firstRender(browser, s.url, '/');
    times.push(ms);
    await page.close();
  }
  times.sort((a, b) => a - b);
  rows.push(['first map render, demo data (median of 3)', `${times[1].toFixed(0)} ms`, times.map((x) => x.toFixed(0)).join(' / ')]);
  await s.stop();

  // (b) N points of one type (GtfsStop), written with --auth off
  s = await start(['--auth', 'off']);
  const t0 = Date.now();
  for (let b = 0; b < N; b += 1000) {
    const batch = [];
    for (let i = b; i < Math.min(N, b + 1000); i++) {
      const lng = 129.55 + ((i * 7919) % 10007) / 10007 * 0.75;
      const lat = 32.62 + ((i * 104729) % 10009) / 10009 * 0.6;
      batch.push({ id: `urn:ngsi-ld:GtfsStop:bench-${i}`, type: 'GtfsStop', name: { type: 'Property', value: `stop ${i}` }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [Number(lng.toFixed(6)), Number(lat.toFixed(6))] } } });
    }
    const r = await fetch(`${s.url}/ngsi-ld/v1/entityOperations/upsert`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(batch) });
    if (r.status >= 300) throw new Error(`upsert ${r.status} ${await r.text()}`);
  }
  rows.push([`create ${N} points (upsert, 1000 per batch)`, `${((Date.now() - t0) / 1000).toFixed(1)} s`, '']);
  const { page, ms } = await firstRender(browser, s.url, '/?types=GtfsStop&c=129.95,32.9,9');
  rows.push([`first map render, ${N} GtfsStop points`, `${ms.toFixed(0)} ms`, `loaded ${await page.evaluate(() => window.__dejima.loaded.GtfsStop)}`]);
  const z9 = await panFps(page, 4);
  rows.push(['panning fps, zoom 9 (clustered)', z9.fps.toFixed(1), `map renders/s ${z9.renders.toFixed(1)}`]);
  await page.evaluate(() => window.__dejima.map.jumpTo({ zoom: 13 }));
  await sleep(1500);
  const z13 = await panFps(page, 4);
  rows.push(['panning fps, zoom 13', z13.fps.toFixed(1), `map renders/s ${z13.renders.toFixed(1)}`]);
  await page.close();
  await s.stop();
} finally {
  await browser.close();
}
const { raw, gz } = distGzip();
rows.push(['web/dist size (raw / gzip -9)', `${(gz / 1024).toFixed(0)} KiB gz`, `${(raw / 1024).toFixed(0)} KiB raw`]);

const w0 = Math.max(...rows.map((r) => r[0].length));
const w1 = Math.max(...rows.map((r) => r[1].length));
console.log(`\nheadless chromium (${ARGS.includes('--use-angle=swiftshader') ? 'SwiftShader WebGL' : 'GPU'}), server ${BIN}`);
for (const r of rows) console.log(`${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`);
