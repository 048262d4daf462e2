import { expect, type Page } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { WEB_DIR } from './server';

export const base = () => process.env.DEJIMA_BASE_URL!;
export const api = () => process.env.DEJIMA_API_URL!;
export const operatorKey = () => process.env.DEJIMA_OPERATOR_KEY!;

export async function mapReady(page: Page): Promise<void> {
  await page.waitForFunction(() => (window as any).__dejima?.ready === true, null, { timeout: 30_000 });
}

export async function shot(page: Page, name: string): Promise<void> {
  const dir = join(WEB_DIR, 'test-results', 'screens');
  mkdirSync(dir, { recursive: true });
  await page.screenshot({ path: join(dir, `${name}.png`) });
}

export async function apiJson(path: string, init: RequestInit = {}): Promise<any> {
  const r = await fetch(api() + path, init);
  expect(r.ok, `${init.method ?? 'GET'} ${path} → ${r.status}`).toBeTruthy();
  const t = await r.text();
  return t ? JSON.parse(t) : null;
}

export async function apiCount(type: string, opts: { q?: string; geometry?: { type: string; coordinates: unknown } } = {}): Promise<number> {
  const body: Record<string, unknown> = { type: 'Query', entities: [{ type }] };
  if (opts.q) body.q = opts.q;
  if (opts.geometry) body.geoQ = { geometry: opts.geometry.type, coordinates: opts.geometry.coordinates, georel: 'within' };
  const r = await fetch(`${api()}/ngsi-ld/v1/entityOperations/query?count=true&limit=0`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  expect(r.ok).toBeTruthy();
  return Number(r.headers.get('NGSILD-Results-Count'));
}

export async function operatorWrite(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(api() + path, {
    method,
    headers: { 'X-API-Key': operatorKey(), 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

// Shown count in the filter panel, e.g. "(71)" → 71.
export async function shownCount(page: Page, type: string): Promise<number> {
  const t = (await page.getByTestId(`count-${type}`).textContent()) ?? '';
  return Number(t.replace(/[()]/g, '') || 'NaN');
}

// Entities drawn by the map for one type: unclustered points plus the sizes of clusters, as the
// map itself reports them (deduplicated across tiles).
export async function renderedCount(page: Page, type: string): Promise<number> {
  return page.evaluate((ty) => {
    const map = (window as any).__dejima.map;
    const seen = new Set<string>();
    let n = 0;
    for (const f of map.queryRenderedFeatures({ layers: [`cl-${ty}`, `pt-${ty}`].filter((l: string) => map.getLayer(l)) })) {
      const key = f.properties.cluster_id !== undefined ? `c${f.properties.cluster_id}` : `p${f.properties.eid}`;
      if (seen.has(key)) continue;
      seen.add(key);
      n += f.properties.point_count ?? 1;
    }
    return n;
  }, type);
}
