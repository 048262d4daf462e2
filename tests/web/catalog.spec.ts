// The data catalog's portal pages and the API reference, against the real server's CKAN API: the
// list and its facets, a dataset's page (metadata, downloads, preview, map, code samples that are
// run for real), a private dataset seen only after signing in, and Swagger UI over /openapi.json.
import { test, expect } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { api, apiJson, shot } from './helpers';

test.use({ baseURL: process.env.DEJIMA_BASE_URL });

const ckan = async (action: string, params: Record<string, string> = {}) =>
  (await apiJson(`/api/3/action/${action}?${new URLSearchParams(params)}`)).result;

test('11. the dataset list searches and filters as package_search does', async ({ page }) => {
  const all = await ckan('package_search', { rows: '0' });
  expect(all.count).toBeGreaterThanOrEqual(4);
  await page.goto('/datasets');
  await expect(page.getByTestId('dataset-count')).toHaveText(`${all.count} 件のデータセット`);
  await expect(page.getByTestId('dataset')).toHaveCount(Math.min(all.count, 20));
  await shot(page, 'datasets');

  await page.getByTestId('dataset-search').fill('避難');
  await page.getByTestId('dataset-search').press('Enter');
  await expect(page).toHaveURL(/\/datasets\?q=%E9%81%BF%E9%9B%A3/);
  const found = await ckan('package_search', { q: '避難', rows: '0' });
  expect(found.count).toBe(2);
  await expect(page.getByTestId('dataset-count')).toHaveText(`${found.count} 件のデータセット`);
  await expect(page.getByTestId('dataset').first()).toContainText('避難');

  // a facet: the format facet lists CSV with the count of the current search; choosing it keeps both
  const csv = page.getByTestId('facet-res_format').getByLabel(/CSV/);
  await expect(page.getByTestId('facet-res_format')).toContainText(`CSV (${found.count})`);
  await csv.check();
  await expect(page).toHaveURL(/format=CSV/);
  await expect(page).toHaveURL(/q=/);
  const both = await ckan('package_search', { q: '避難', fq: 'res_format:"CSV"', rows: '0' });
  await expect(page.getByTestId('dataset-count')).toHaveText(`${both.count} 件のデータセット`);
  await expect(page.getByTestId('facet-organization')).toContainText('長崎県');

  // a keyword with no match
  await page.goto('/datasets?q=存在しないキーワード');
  await expect(page.getByTestId('dataset-count')).toHaveText('0 件のデータセット');
});

test('12. a dataset page shows its metadata, downloads, preview, map, and samples that work', async ({ page }) => {
  const name = 'default-evacuation-space';
  const pkg = await ckan('package_show', { id: name });
  await page.goto('/datasets');
  await page.locator(`[data-testid=dataset][data-name="${name}"] h2 a`).click();
  await expect(page).toHaveURL(`/datasets/${name}`);
  await expect(page.getByTestId('dataset-title')).toHaveText(pkg.title);
  await expect(page.getByTestId('dataset-license')).toHaveAttribute('href', pkg.license_url);
  await expect(page.getByTestId('dataset-meta')).toContainText('長崎県');
  await expect(page.getByTestId('dataset-meta')).toContainText('履歴の期間');

  // downloads: the links are the resources' own, and the CSV opens with a BOM
  for (const r of pkg.resources) await expect(page.getByTestId(`download-${r.id.slice(name.length + 1)}`)).toHaveAttribute('href', r.url);
  expect(pkg.resources.map((r: any) => r.id)).toEqual(['csv', 'geojson', 'jsonld', 'history'].map((k) => `${name}-${k}`));
  const csv = await fetch(pkg.resources.find((r: any) => r.format === 'CSV').url.replace(/^https?:\/\/[^/]+/, api()));
  expect(csv.status).toBe(200);
  expect(new Uint8Array(await csv.arrayBuffer()).slice(0, 3)).toEqual(new Uint8Array([0xef, 0xbb, 0xbf]));

  // the preview is the first rows of datastore_search, under its column names
  const ds = await ckan('datastore_search', { resource_id: `${name}-csv`, limit: '20' });
  const table = page.getByTestId('dataset-preview');
  await expect(table.locator('tbody tr')).toHaveCount(ds.records.length);
  await expect(table.locator('thead th').first()).toHaveText(ds.fields[1].id);
  await expect(table.locator('tbody tr').first()).toContainText(String(ds.records[0]['名称']));

  // the map draws the first 1,000 entities
  const map = page.getByTestId('dataset-map');
  await map.scrollIntoViewIfNeeded();
  await expect(map).toHaveAttribute('data-ready', 'true');
  await expect(map).toHaveAttribute('data-features', String(Math.min(1000, ds.total)));
  await shot(page, 'dataset');

  // the samples run: Python with requests, JavaScript with Node's fetch; each reads 100 entities
  const code = async (lang: string) => (await page.locator(`code[data-lang="${lang}"][data-call="NGSI-LD"]`).textContent())!;
  const origin = new URL(page.url()).origin;
  expect(await code('curl')).toContain(`${origin}/ngsi-ld/v1/entities?type=EvacuationSpace`);
  const py = execFileSync('/usr/bin/python3', ['-c', await code('Python')], { encoding: 'utf8', timeout: 30_000 });
  expect(py.split(' ')[0]).toBe('100');
  const js = execFileSync(process.execPath, ['--input-type=module', '-e', await code('JavaScript')], { encoding: 'utf8', timeout: 30_000, env: { PATH: process.env.PATH, NO_COLOR: '1' } });
  expect(js.split(' ')[0]).toBe('100');

  await page.goto('/datasets/no-such-dataset');
  await expect(page.getByTestId('dataset-missing')).toBeVisible();
  await page.goto('/datasets/%E0%A4%A');  // not a %-encoding of anything
  await expect(page.getByTestId('dataset-missing')).toBeVisible();
});

test('13. a private dataset shows only to a caller who may read it', async ({ page }) => {
  // a type the tenant goto has not made public
  const g = await fetch(`${api()}/ngsi-ld/v1/entities`, {
    method: 'POST',
    headers: { 'X-API-Key': process.env.DEJIMA_OPERATOR_KEY!, 'NGSILD-Tenant': 'goto', 'Content-Type': 'application/json' },
    body: JSON.stringify({ id: 'urn:ngsi-ld:ParkingSpot:goto-1', type: 'ParkingSpot', name: { type: 'Property', value: '福江港駐車場' }, location: { type: 'GeoProperty', value: { type: 'Point', coordinates: [128.84, 32.69] } } }),
  });
  expect(g.status).toBe(201);
  await page.goto('/datasets?q=ParkingSpot');
  await expect(page.getByTestId('dataset-count')).toHaveText('0 件のデータセット');
  await page.goto('/datasets/goto-parking-spot');
  await expect(page.getByTestId('dataset-missing')).toBeVisible();

  await page.goto('/login?next=/datasets/goto-parking-spot');
  await page.getByLabel('ユーザー名').fill('operator');
  await page.getByLabel('パスワード').fill(process.env.DEJIMA_OPERATOR_PASSWORD!);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/\/datasets\/goto-parking-spot/);
  await expect(page.getByTestId('dataset-title')).toContainText('非公開');
  await expect(page.getByTestId('dataset-map')).toHaveAttribute('data-features', '1');
  await expect(page.locator('code[data-lang="curl"][data-call="NGSI-LD"]')).toContainText("-H 'NGSILD-Tenant: goto'");
  await page.goto('/datasets?q=ParkingSpot');
  await expect(page.getByTestId('dataset-count')).toHaveText('1 件のデータセット');
  await page.getByTestId('logout').click();
});

test('14. the API reference is Swagger UI over /openapi.json, served by Dejima alone', async ({ page }) => {
  const outside: string[] = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.hostname !== '127.0.0.1' && u.protocol !== 'data:') outside.push(req.url());
  });
  const doc = await apiJson('/openapi.json');
  await page.goto('/developers/api');
  const ui = page.getByTestId('api-reference');
  const tags = ui.locator('.opblock-tag-section');
  await expect(tags).toHaveCount(doc.tags.length);
  await ui.locator('.opblock-tag', { hasText: 'Data catalog' }).first().click();
  await expect(ui.locator('.opblock-summary-path', { hasText: '/api/3/action/{action}' }).first()).toBeVisible();
  await shot(page, 'api-reference');
  expect(outside).toEqual([]);
});
