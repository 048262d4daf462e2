// The data catalog as the portal pages read it: CKAN's package_search for the list and its facets,
// Dejima's /dejima/v1/datasets for a dataset's own metadata (tenant, type, sources, credits).
import { getJson, HttpError } from './api';

export interface CkanResource { id: string; name: string; description?: string; format: string; url: string; datastore_active?: boolean }
export interface CkanPackage {
  name: string; title: string; notes?: string; license_id: string; license_title?: string; private: boolean;
  metadata_modified: string; organization?: { name: string; title: string }; tags: { name: string }[];
  groups: { name: string; title?: string }[]; resources: CkanResource[];
}
export interface FacetItem { name: string; display_name: string; count: number }
export interface SearchResult { count: number; results: CkanPackage[]; search_facets: Record<string, { items: FacetItem[] }> }

// The facets the list offers, in the order shown, with the URL parameter each is kept in.
export const FACETS = [
  { field: 'organization', param: 'org', label: 'facetOrganization' },
  { field: 'groups', param: 'group', label: 'facetGroups' },
  { field: 'tags', param: 'tag', label: 'facetTags' },
  { field: 'res_format', param: 'format', label: 'facetFormat' },
  { field: 'license_id', param: 'license', label: 'facetLicense' },
] as const;

async function action<T>(name: string, params: Record<string, string>): Promise<T> {
  const body = await getJson<{ success: boolean; result: T }>(`/api/3/action/${name}?${new URLSearchParams(params)}`);
  return body.result;
}

function quoted(v: string): string {
  return `"${v.replace(/["\\]/g, '\\$&')}"`;
}

// package_search with the facet choices as fq terms (all must hold), private datasets included
// for a signed-in caller who may read them.
export function searchDatasets(q: string, chosen: Record<string, string[]>, rows: number, start: number): Promise<SearchResult> {
  const fq = FACETS.flatMap((f) => (chosen[f.param] ?? []).map((v) => `${f.field}:${quoted(v)}`)).join(' AND ');
  const params: Record<string, string> = {
    q, rows: String(rows), start: String(start), sort: q ? 'score desc, metadata_modified desc' : 'title_string asc',
    'facet.field': JSON.stringify(FACETS.map((f) => f.field)), 'facet.limit': '50', include_private: 'true',
  };
  if (fq) params.fq = fq;
  return action<SearchResult>('package_search', params);
}

export function showPackage(name: string): Promise<CkanPackage> {
  return action<CkanPackage>('package_show', { id: name });
}

export interface DatastoreResult { total: number; fields: { id: string; type: string }[]; records: Record<string, unknown>[] }
export function previewRows(resourceId: string, limit: number): Promise<DatastoreResult> {
  return action<DatastoreResult>('datastore_search', { resource_id: resourceId, limit: String(limit) });
}

export interface Dataset {
  name: string; tenant: string; type: string; typeIri: string; title: string; titleEn: string; public: boolean; entities: number;
  createdAt: string; modifiedAt: string; frequency?: string; temporal?: { start: string; end: string };
  license: { id: string; title: string; url: string };
  publisher: { name: string; nameJa?: string; nameEn?: string; code?: string };
  metadata: { titleJa: string; titleEn: string; descriptionJa: string; descriptionEn: string; keywords: string[]; themes: string[]; sourceUrl: string };
  sources: { connector: string; url: string; schedule: string; frequency: string; credits: string[] }[];
}

// One dataset by its name, or null when the caller may not see it (or it does not exist).
export async function datasetByName(name: string): Promise<Dataset | null> {
  const all = await getJson<Dataset[]>('/dejima/v1/datasets');
  return all.find((d) => d.name === name) ?? null;
}

export function fileUrl(d: Dataset, file: string): string {
  return `/dejima/v1/datasets/${encodeURIComponent(d.tenant)}/${encodeURIComponent(d.type)}/${file}`;
}

export function isMissing(err: unknown): boolean {
  return err instanceof HttpError && (err.status === 404 || err.status === 403 || err.status === 401);
}
