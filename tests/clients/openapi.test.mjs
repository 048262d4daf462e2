// Dejima's own description, /openapi.json: every route the server lists (/dejima/v1/routes) is
// in it with its method, documented by its module (none marked x-dejima-undocumented), and
// Redocly's linter (npm, recommended rules) finds it valid OpenAPI 3.1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startDejima, request } from './dejima.mjs';

let dejima;
before(async () => {
  dejima = await startDejima();
});
after(async () => {
  await dejima.stop();
});

test('the document lists every route the router serves, each documented', async () => {
  const doc = await request('GET', `${dejima.url}/openapi.json`);
  assert.equal(doc.status, 200);
  assert.equal(doc.json.openapi, '3.1.0');
  const routes = await request('GET', `${dejima.url}/dejima/v1/routes`);
  assert.equal(routes.status, 200);
  const listed = routes.json.map((r) => `${r.method} ${r.path}`).sort();
  const described = Object.entries(doc.json.paths)
    .flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path}`))
    .sort();
  assert.deepEqual(described, listed);
  const undocumented = Object.entries(doc.json.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op['x-dejima-undocumented'])
      .map(([m]) => `${m.toUpperCase()} ${path}`),
  );
  assert.deepEqual(undocumented, [], 'a route without a RouteDoc in its module (<module>/route_docs.cpp)');
  const open = doc.json.paths['/catalog'].get;
  assert.deepEqual(open.security, []);
  assert.ok(doc.json.paths['/ngsi-ld/v1/entities'].post.security.some((s) => 'apiKey' in s));
});

test("Redocly's linter finds the document valid", async () => {
  const doc = await request('GET', `${dejima.url}/openapi.json`);
  const file = join(mkdtempSync(join(tmpdir(), 'dejima-openapi-')), 'openapi.json');
  writeFileSync(file, doc.text);
  const here = new URL('.', import.meta.url).pathname;
  // a non-zero exit (an error found) rejects; Redocly reports on stderr
  const { stdout, stderr } = await promisify(execFile)(
    join(here, 'node_modules/.bin/redocly'),
    ['lint', file, '--config', join(here, 'redocly.yaml'), '--format', 'summary'],
    { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } },
  ).catch((e) => {
    throw new Error(`redocly lint failed:\n${e.stdout}\n${e.stderr}`);
  });
  assert.match(`${stdout}${stderr}`, /Your API description is valid/);
});
