// Same-origin calls to the Dejima server. Session cookies ride along (credentials: same-origin).
export class HttpError extends Error {
  constructor(public status: number, public body: string) {
    super(`HTTP ${status}`);
  }
}

export async function getJson<T = unknown>(url: string, init: RequestInit = {}): Promise<T> {
  const r = await fetch(url, { credentials: 'same-origin', ...init, headers: { Accept: 'application/json', ...(init.headers ?? {}) } });
  if (!r.ok) throw new HttpError(r.status, await r.text());
  const text = await r.text();
  return (text ? JSON.parse(text) : null) as T;
}

export async function postJson<T = unknown>(url: string, body: unknown): Promise<{ data: T; res: Response }> {
  const r = await fetch(url, {
    method: 'POST',
    credentials: 'same-origin',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await r.text();
  if (!r.ok) throw new HttpError(r.status, text);
  return { data: (text ? JSON.parse(text) : null) as T, res: r };
}

export type Entity = { id: string; type: string; [k: string]: unknown };

export interface Boundary {
  type: 'Feature';
  id?: string | number;
  geometry: { type: 'Polygon' | 'MultiPolygon'; coordinates: any };
  properties: { N03_004?: string; N03_007?: string; code?: string; tenant?: string; nameJa?: string; nameEn?: string; [k: string]: unknown };
}

export interface Tenant { name: string; nameJa: string; nameEn: string; code: string; kind: string }

let boundariesPromise: Promise<Boundary[]> | null = null;
// The municipal boundaries; [] when the server has none (404).
export function boundaries(): Promise<Boundary[]> {
  boundariesPromise ??= getJson<{ features: Boundary[] }>('/dejima/v1/map/boundaries')
    .then((fc) => fc.features ?? [])
    .catch(() => []);
  return boundariesPromise;
}

let tenantsPromise: Promise<Tenant[]> | null = null;
export function tenants(): Promise<Tenant[]> {
  tenantsPromise ??= getJson<Tenant[]>('/dejima/v1/tenants').catch(() => []);
  return tenantsPromise;
}

export interface Municipality { code: string; code5: string; nameJa: string; nameEn: string; tenant: string; geometry: Boundary['geometry'] | null }

// Municipalities from the boundaries, completed by the tenant registry (names in English).
export async function municipalities(): Promise<Municipality[]> {
  const [b, ts] = await Promise.all([boundaries(), tenants()]);
  const byCode = new Map(ts.filter((x) => x.kind !== 'prefecture').map((x) => [x.code, x]));
  const out: Municipality[] = [];
  const seen = new Set<string>();
  for (const f of b) {
    const p = f.properties;
    const code5 = String(p.N03_007 ?? (p.code ?? '').slice(0, 5));
    const code = String(p.code ?? [...byCode.keys()].find((c) => c.startsWith(code5)) ?? code5);
    const tn = byCode.get(code);
    seen.add(code);
    out.push({ code, code5, nameJa: String(p.nameJa ?? p.N03_004 ?? tn?.nameJa ?? code), nameEn: String(p.nameEn ?? tn?.nameEn ?? p.N03_004 ?? code), tenant: String(p.tenant ?? tn?.name ?? ''), geometry: f.geometry });
  }
  for (const tn of byCode.values())
    if (!seen.has(tn.code)) out.push({ code: tn.code, code5: tn.code.slice(0, 5), nameJa: tn.nameJa, nameEn: tn.nameEn, tenant: tn.name, geometry: null });
  out.sort((a, b2) => a.code.localeCompare(b2.code));
  return out;
}

export interface Me { caller?: string; operator?: boolean; user?: { name: string; displayName?: string; operator?: boolean; roles?: Record<string, string[] | string> } }
export async function me(): Promise<Me | null> {
  try {
    return await getJson<Me>('/dejima/v1/me');
  } catch {
    return null;
  }
}

export function entityUrl(id: string): string {
  return `/ngsi-ld/v1/entities/${encodeURIComponent(id)}`;
}

// Pages through POST /ngsi-ld/v1/entityOperations/query (limit 1000, the server's maximum).
export async function queryAll(
  type: string,
  opts: { attrs?: string[]; q?: string; geometry?: Boundary['geometry'] | null; signal?: AbortSignal; onPage?: (n: number, total: number) => void },
): Promise<Entity[]> {
  const body: Record<string, unknown> = { type: 'Query', entities: [{ type }] };
  if (opts.q) body.q = opts.q;
  if (opts.geometry) body.geoQ = { geometry: opts.geometry.type, coordinates: opts.geometry.coordinates, georel: 'within' };
  const out: Entity[] = [];
  let total = Infinity;
  for (let offset = 0; offset < total; offset += 1000) {
    const params = new URLSearchParams({ options: 'keyValues', limit: '1000', offset: String(offset), count: 'true' });
    if (opts.attrs) params.set('attrs', opts.attrs.join(','));
    const r = await fetch(`/ngsi-ld/v1/entityOperations/query?${params}`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify(body),
      signal: opts.signal,
    });
    if (!r.ok) throw new HttpError(r.status, await r.text());
    total = Number(r.headers.get('NGSILD-Results-Count') ?? '0');
    const page = (await r.json()) as Entity[];
    out.push(...page);
    opts.onPage?.(out.length, total);
    if (page.length < 1000) break;
  }
  return out;
}

export async function countOf(type: string, geometry?: Boundary['geometry'] | null, q?: string): Promise<number> {
  const body: Record<string, unknown> = { type: 'Query', entities: [{ type }] };
  if (q) body.q = q;
  if (geometry) body.geoQ = { geometry: geometry.type, coordinates: geometry.coordinates, georel: 'within' };
  const { res } = await postJson('/ngsi-ld/v1/entityOperations/query?count=true&limit=0', body);
  return Number(res.headers.get('NGSILD-Results-Count') ?? '0');
}
