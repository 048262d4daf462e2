// One dataset's page (/datasets/{name}): its metadata, licence and credits, the downloads, a
// preview table (datastore_search) and map (the first 1,000 entities as GeoJSON), and how to
// call its API with curl, JavaScript and Python.
import * as maplibregl from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { View } from '../view';
import { h, href, fmtTime } from '../dom';
import { t, currentLang } from '../i18n';
import { boundaries } from '../api';
import { datasetByName, showPackage, previewRows, fileUrl, isMissing, type Dataset, type CkanPackage, type CkanResource } from '../catalog';
import { codeSamples } from './samples';

maplibregl.setWorkerUrl(workerUrl);

const MAP_LIMIT = 1000;

function metaList(d: Dataset, pkg: CkanPackage): HTMLElement {
  const s = t();
  const lang = currentLang();
  const publisher = (lang === 'en' ? d.publisher.nameEn : d.publisher.nameJa) || d.publisher.name;
  const freq = d.frequency ? (s.frequencies[d.frequency] ?? d.frequency) : '—';
  const rows: [string, Node | string][] = [
    [s.publisher, publisher],
    [s.license, h('a', { href: d.license.url, rel: 'license', 'data-testid': 'dataset-license' }, d.license.title)],
    [s.frequency, freq],
    [s.entitiesCount, d.entities.toLocaleString(lang === 'en' ? 'en-GB' : 'ja-JP')],
    [s.modified, fmtTime(d.modifiedAt, lang)],
    [s.created, fmtTime(d.createdAt, lang)],
    [s.entityType, h('code', {}, d.typeIri)],
  ];
  if (d.temporal) rows.push([s.temporalCoverage, `${fmtTime(d.temporal.start, lang)} – ${fmtTime(d.temporal.end, lang)}`]);
  if (pkg.tags.length) rows.push([s.facetTags, pkg.tags.map((x) => x.name).join('、')]);
  if (pkg.groups.length) rows.push([s.facetGroups, pkg.groups.map((x) => x.title ?? x.name).join('、')]);
  if (d.metadata.sourceUrl) rows.push([s.sourceUrl, h('a', { href: d.metadata.sourceUrl }, d.metadata.sourceUrl)]);
  return h('dl', { class: 'ds-meta', 'data-testid': 'dataset-meta' }, ...rows.flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function credits(d: Dataset): HTMLElement | null {
  const s = t();
  if (!d.sources.length) return null;
  const lines = [...new Set(d.sources.flatMap((src) => src.credits))];
  return h('section', { 'data-testid': 'dataset-credits' },
    h('h2', {}, s.credits),
    lines.length ? h('ul', {}, ...lines.map((c) => h('li', {}, c))) : null,
    h('details', {}, h('summary', {}, `${s.connectorsOf} (${d.sources.length})`),
      h('ul', {}, ...d.sources.map((src) => h('li', {}, src.connector, src.url ? ` — ${src.url}` : '', src.schedule ? ` (${src.schedule})` : '')))),
  );
}

function downloads(d: Dataset, pkg: CkanPackage): HTMLElement {
  const s = t();
  // each resource under its id's suffix (csv, geojson, jsonld, history), the CSV also in Shift_JIS
  const key = (r: CkanResource) => r.id.slice(pkg.name.length + 1);
  const items = pkg.resources.map((r) => h('li', {}, h('a', { href: r.url, 'data-testid': `download-${key(r)}`, download: '' }, key(r) === 'history' ? s.historyCsv : r.format), r.description ? ` — ${r.description}` : ''));
  items.splice(1, 0, h('li', {}, h('a', { href: fileUrl(d, 'data.csv?encoding=shift_jis'), 'data-testid': 'download-csv-sjis', download: '' }, s.shiftJisCsv)));
  return h('section', {}, h('h2', {}, s.downloads), h('ul', { class: 'downloads' }, ...items));
}

async function previewTable(box: HTMLElement, pkg: CkanPackage): Promise<void> {
  const csv = pkg.resources.find((r) => r.datastore_active);
  if (!csv) return;
  try {
    const res = await previewRows(csv.id, 20);
    const fields = res.fields.filter((f) => f.id !== '_id' && res.records.some((r) => r[f.id] !== null && r[f.id] !== ''));
    box.append(h('div', { class: 'table-scroll', tabindex: '0' },
      h('table', { class: 'preview', 'data-testid': 'dataset-preview' },
        h('thead', {}, h('tr', {}, ...fields.map((f) => h('th', { scope: 'col' }, f.id)))),
        h('tbody', {}, ...res.records.map((r) => h('tr', {}, ...fields.map((f) => h('td', {}, r[f.id] === null ? '' : String(r[f.id])))))))));
  } catch (err) {
    box.append(h('p', { class: 'error' }, String(err)));
  }
}

// The first MAP_LIMIT entities as GeoJSON over the base of municipal boundaries, fitted to them.
async function previewMap(box: HTMLElement, d: Dataset): Promise<() => void> {
  const headers: Record<string, string> = { Accept: 'application/geo+json' };
  if (d.tenant !== 'default') headers['NGSILD-Tenant'] = d.tenant;
  const r = await fetch(`/ngsi-ld/v1/entities?type=${encodeURIComponent(d.type)}&limit=${MAP_LIMIT}&options=keyValues&attrs=name,location`, { credentials: 'same-origin', headers });
  if (!r.ok) return () => {};
  const fc = (await r.json()) as GeoJSON.FeatureCollection;
  const located = fc.features.filter((f) => f.geometry);
  if (!located.length) return () => {};
  const el = h('div', { class: 'ds-map', 'data-testid': 'dataset-map', 'data-features': String(located.length), role: 'img', 'aria-label': t().previewMap });
  box.append(h('h2', {}, t().previewMap), el);
  let w = 180, s = 90, e = -180, n = -90;
  const walk = (c: any): void => {
    if (typeof c[0] === 'number') {
      w = Math.min(w, c[0]); e = Math.max(e, c[0]); s = Math.min(s, c[1]); n = Math.max(n, c[1]);
    } else for (const x of c) walk(x);
  };
  for (const f of located) if ('coordinates' in f.geometry) walk(f.geometry.coordinates);
  const map = new maplibregl.Map({
    container: el,
    style: { version: 8, sources: {}, layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dbe9f4' } }] },
    bounds: [w - 0.01, s - 0.01, e + 0.01, n + 0.01],
    fitBoundsOptions: { padding: 20, maxZoom: 15 },
    attributionControl: { compact: true, customAttribution: currentLang() === 'en' ? 'Boundaries: MLIT N03' : '行政区域: 国土数値情報 (N03)' },
    dragRotate: false,
    fadeDuration: 0,
  });
  map.on('load', async () => {
    map.addSource('boundaries', { type: 'geojson', data: { type: 'FeatureCollection', features: (await boundaries()) as unknown as GeoJSON.Feature[] } });
    map.addLayer({ id: 'boundaries-fill', type: 'fill', source: 'boundaries', paint: { 'fill-color': '#f4f1ea' } });
    map.addLayer({ id: 'boundaries-line', type: 'line', source: 'boundaries', paint: { 'line-color': '#5d6b78', 'line-width': 0.8 } });
    map.addSource('data', { type: 'geojson', data: { type: 'FeatureCollection', features: located } });
    map.addLayer({ id: 'data-fill', type: 'fill', source: 'data', filter: ['==', ['geometry-type'], 'Polygon'], paint: { 'fill-color': '#0b5394', 'fill-opacity': 0.3 } });
    map.addLayer({ id: 'data-pt', type: 'circle', source: 'data', filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-color': '#0b5394', 'circle-radius': 4, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
    el.dataset.ready = 'true';
  });
  return () => map.remove();
}

const view: View = {
  async mount(root) {
    const s = t();
    const lang = currentLang();
    const page = h('section', { class: 'page dataset' }, h('p', {}, h('a', { href: href('/datasets'), 'data-link': '' }, `← ${s.datasetsTitle}`)));
    root.append(page);
    let d: Dataset | null = null;
    let pkg: CkanPackage;
    try {
      const name = decodeURIComponent(location.pathname.slice('/datasets/'.length));  // throws on a bad %-sequence
      [d, pkg] = await Promise.all([datasetByName(name), showPackage(name)]);
    } catch (err) {
      page.append(h('p', { class: 'error', 'data-testid': 'dataset-missing' }, isMissing(err) ? s.notFound : String(err)));
      return;
    }
    if (!d) {
      page.append(h('p', { class: 'error', 'data-testid': 'dataset-missing' }, s.notFound));
      return;
    }
    const title = (lang === 'en' && d.titleEn) || d.title;
    const description = (lang === 'en' && d.metadata.descriptionEn) || d.metadata.descriptionJa || pkg.notes || '';
    document.title = `${title} — ${s.appName}`;
    page.append(h('h1', { 'data-testid': 'dataset-title' }, title, d.public ? null : h('span', { class: 'tag private' }, s.privateBadge)));
    if (description) page.append(h('p', { class: 'notes' }, description));
    if (!d.public) page.append(h('p', { class: 'status' }, s.apiKeyNeeded));
    page.append(metaList(d, pkg));
    const c = credits(d);
    if (c) page.append(c);
    page.append(downloads(d, pkg));
    const previewBox = h('section', {}, h('h2', {}, s.preview));
    const mapBox = h('section', {});
    page.append(previewBox, mapBox, codeSamples(d, location.origin));
    const noMap = () => {};  // a map that could not be drawn leaves the rest of the page
    const [, removeMap] = await Promise.all([previewTable(previewBox, pkg), previewMap(mapBox, d).catch(() => noMap)]);
    return removeMap;
  },
};
export default view;
