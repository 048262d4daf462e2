// The map view: municipal boundaries, one clustered layer per entity type, filters kept in the URL,
// popups with Japanese labels, live updates, and the AMeDAS chart panel.
import * as maplibregl from 'maplibre-gl';
// MapLibre's worker is a separate, self-contained module: bundled as a hashed asset.
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { Map as MLMap, GeoJSONSource, StyleSpecification, MapGeoJSONFeature } from 'maplibre-gl';
import type { View, Ctx } from '../view';
import { h } from '../dom';
import { t, currentLang } from '../i18n';
import { readState, writeState, ALL_TYPES, HAZARDS, type MapState } from '../state';
import { municipalities, boundaries, queryAll, getJson, entityUrl, type Entity, type Municipality } from '../api';
import { installTextImages } from '../mapimages';
import { within, bbox } from '../geo';
import { debug } from '../debug';
import { connectLive, type ChangeEvent } from '../live';
import { renderPopup } from './popup';
import { openStationChart } from './chart';
import { WARNING_COLORS, TYPE_COLORS } from '../warncolors';

maplibregl.setWorkerUrl(workerUrl);

const PREF_BOUNDS: [number, number, number, number] = [128.55, 32.55, 130.45, 34.75];

// Attributes each layer needs (the full entity is fetched on click).
const ATTRS: Record<string, string[]> = {
  EvacuationSpace: ['name', 'fullAddress', 'location', ...Object.values(HAZARDS)],
  EvacuationShelter: ['name', 'fullAddress', 'location', ...Object.values(HAZARDS)],
  TouristAttraction: ['name', 'fullAddress', 'location'],
  WeatherObserved: ['name', 'location', 'temperature', 'precipitation', 'dateObserved'],
  WeatherWarning: ['areaCode', 'warningLevel', 'alerts', 'name'],
  GtfsStop: ['name', 'stop_name', 'location'],
};


// EvacuationSpace colour: the first designated disaster in this order.
const HAZARD_ORDER: [string, string][] = [
  ['tsunami', '#0d47a1'],
  ['landslide', '#795548'],
  ['flood', '#0097a7'],
  ['stormsurge', '#00695c'],
  ['inlandflood', '#4fc3f7'],
  ['earthquake', '#ef6c00'],
  ['fire', '#c62828'],
  ['eruption', '#6a1b9a'],
];
const HAZARD_COLOR = Object.fromEntries(HAZARD_ORDER) as Record<string, string>;

const POINT_TYPES = ALL_TYPES.filter((x) => x !== 'WeatherWarning');

function hazardCategory(p: Record<string, unknown>): string {
  for (const [k] of HAZARD_ORDER) if (p[HAZARDS[k]] === true) return k;
  return 'none';
}

function emptyFC(): GeoJSON.FeatureCollection {
  return { type: 'FeatureCollection', features: [] };
}

function fmtNum(v: unknown): string {
  return typeof v === 'number' ? String(Math.round(v * 10) / 10) : '';
}

const view: View = {
  async mount(root: HTMLElement, ctx: Ctx) {
    const s = t();
    const lang = currentLang();
    const state: MapState = readState();
    const stores: Record<string, Map<string, Entity>> = Object.fromEntries(ALL_TYPES.map((ty) => [ty, new Map()]));
    let munis: Municipality[] = [];
    let abort = new AbortController();
    let disposed = false;
    void ctx;

    // ---------- layout ----------
    const drawerBtn = h('button', { type: 'button', class: 'drawer-toggle', 'aria-controls': 'filters', 'aria-expanded': 'false', 'data-testid': 'filters-toggle' }, s.filters);
    const muniSel = h('select', { id: 'f-muni', name: 'muni', 'data-testid': 'filter-muni' }, h('option', { value: '' }, s.allMunicipalities));
    const typeBox = h('fieldset', { class: 'types' }, h('legend', {}, s.entityTypes));
    const countEls: Record<string, HTMLElement> = {};
    for (const ty of ALL_TYPES) {
      const id = `f-type-${ty}`;
      const cb = h('input', { type: 'checkbox', id, name: 'types', value: ty, 'data-testid': `type-${ty}`, checked: state.types.includes(ty) });
      countEls[ty] = h('span', { class: 'count', 'data-testid': `count-${ty}` }, '');
      const sw = ty === 'WeatherWarning' ? h('span', { class: 'swatch warn', 'aria-hidden': 'true' }) : h('span', { class: 'swatch', style: `background:${TYPE_COLORS[ty]}`, 'aria-hidden': 'true' });
      typeBox.append(h('div', { class: 'check' }, cb, h('label', { for: id }, sw, s.types[ty] ?? ty, ' ', countEls[ty])));
    }
    const textIn = h('input', { type: 'search', id: 'f-text', name: 'text', value: state.text, 'data-testid': 'filter-text', autocomplete: 'off' });
    const hazBox = h('fieldset', { class: 'hazards' }, h('legend', {}, s.hazards));
    for (const k of Object.keys(HAZARDS)) {
      const id = `f-haz-${k}`;
      hazBox.append(
        h('div', { class: 'check' },
          h('input', { type: 'checkbox', id, name: 'hazard', value: k, 'data-testid': `hazard-${k}`, checked: state.hazard.includes(k) }),
          h('label', { for: id }, h('span', { class: 'swatch', style: `background:${HAZARD_COLOR[k]}`, 'aria-hidden': 'true' }), s.hazardNames[k]),
        ),
      );
    }
    const qIn = h('input', { type: 'text', id: 'f-q', name: 'q', value: state.q, 'data-testid': 'filter-q', placeholder: s.qHelp, 'aria-describedby': 'f-q-help', autocomplete: 'off', spellcheck: 'false' });
    const qErr = h('p', { class: 'error', role: 'alert', 'data-testid': 'q-error' });
    const form = h('form', { class: 'filter-form', 'aria-label': s.filters },
      h('div', { class: 'field' }, h('label', { for: 'f-muni' }, s.municipality), muniSel),
      typeBox,
      h('div', { class: 'field' }, h('label', { for: 'f-text' }, s.textSearch), textIn),
      hazBox,
      h('div', { class: 'field' }, h('label', { for: 'f-q' }, s.qLabel), qIn, h('small', { id: 'f-q-help' }, s.qHelp)),
      qErr,
      h('div', { class: 'buttons' }, h('button', { type: 'submit', 'data-testid': 'filter-apply' }, s.apply), h('button', { type: 'reset', 'data-testid': 'filter-reset' }, s.reset)),
    );
    const status = h('p', { class: 'status', role: 'status', 'aria-live': 'polite', 'data-testid': 'map-status' }, s.loading);
    const aside = h('aside', { id: 'filters', class: 'filters', 'aria-label': s.filters },
      h('div', { class: 'drawer-head' }, h('h2', {}, s.filters), h('button', { type: 'button', class: 'drawer-close', 'aria-label': s.closeFilters }, '×')),
      form, status);
    const mapEl = h('div', { id: 'map', class: 'map', 'data-testid': 'map', role: 'region', 'aria-label': s.mapLabel });
    const legendBody = h('div', { class: 'legend-body' });
    const legend = h('details', { class: 'legend', open: window.innerWidth > 760 }, h('summary', {}, s.legend), legendBody);
    legendBody.append(h('strong', {}, s.types.EvacuationSpace));
    for (const [k, c] of HAZARD_ORDER) legendBody.append(h('span', {}, h('i', { style: `background:${c}` }), s.hazardNames[k]));
    legendBody.append(h('strong', {}, s.level));
    for (const lv of [5, 4, 3, 2, 1]) legendBody.append(h('span', {}, h('i', { style: `background:${WARNING_COLORS[lv].bg}` }), String(lv)));
    const chartPanel = h('section', { class: 'chart-panel', hidden: true, 'data-testid': 'chart-panel', 'aria-label': s.chartTitle });
    root.append(h('div', { class: 'map-layout' }, drawerBtn, aside, h('div', { class: 'map-wrap' }, mapEl, legend), chartPanel));
    const setDrawer = (open: boolean) => {
      aside.classList.toggle('open', open);
      drawerBtn.setAttribute('aria-expanded', String(open));
      if (open) muniSel.focus();
    };
    drawerBtn.addEventListener('click', () => setDrawer(!aside.classList.contains('open')));
    aside.querySelector('.drawer-close')!.addEventListener('click', () => {
      setDrawer(false);
      drawerBtn.focus();
    });
    aside.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && aside.classList.contains('open')) {
        setDrawer(false);
        drawerBtn.focus();
      }
    });

    // ---------- map ----------
    // start the independent requests at once; they are awaited where needed
    const boundariesP = boundaries();
    const munisP = municipalities();
    let styleUrl: string | null = null;
    try {
      styleUrl = (await getJson<{ style: string | null }>('/dejima/v1/map/config')).style ?? null;
    } catch {
      styleUrl = null;
    }
    const baseStyle: StyleSpecification = {
      version: 8,
      sources: {},
      layers: [{ id: 'background', type: 'background', paint: { 'background-color': '#dbe9f4' } }],
    };
    const map: MLMap = new maplibregl.Map({
      container: mapEl,
      style: styleUrl ?? baseStyle,
      bounds: state.center ? undefined : PREF_BOUNDS,
      center: state.center ? [state.center[0], state.center[1]] : undefined,
      zoom: state.center ? state.center[2] : undefined,
      localIdeographFontFamily: '"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", sans-serif',
      attributionControl: { compact: true, customAttribution: lang === 'en' ? 'Boundaries: MLIT N03' : '行政区域: 国土数値情報 (N03)' },
      dragRotate: false,
      pitchWithRotate: false,
      fadeDuration: 0,
    });
    debug.map = map;
    debug.ready = false;
    map.addControl(new maplibregl.NavigationControl({ showCompass: false }), 'top-right');
    installTextImages(map);
    await new Promise<void>((res) => (map.loaded() ? res() : map.once('load', () => res())));
    if (disposed) return;

    // boundaries
    const bfeatures = await boundariesP;
    map.addSource('boundaries', { type: 'geojson', data: { type: 'FeatureCollection', features: bfeatures as unknown as GeoJSON.Feature[] }, promoteId: 'N03_007' });
    const levelColor: any = ['match', ['coalesce', ['feature-state', 'level'], 0]];
    for (const lv of [5, 4, 3, 2, 1]) levelColor.push(lv, WARNING_COLORS[lv].bg);
    levelColor.push(styleUrl ? 'rgba(0,0,0,0)' : '#f4f1ea');
    map.addLayer({ id: 'boundaries-fill', type: 'fill', source: 'boundaries', paint: { 'fill-color': levelColor, 'fill-opacity': ['case', ['>', ['coalesce', ['feature-state', 'level'], 0], 0], 0.55, styleUrl ? 0 : 1] } });
    map.addLayer({ id: 'boundaries-line', type: 'line', source: 'boundaries', paint: { 'line-color': '#5d6b78', 'line-width': ['case', ['boolean', ['feature-state', 'selected'], false], 3, 0.8] } });

    // one clustered source per point type
    for (const ty of POINT_TYPES) {
      const clustered = ty !== 'WeatherObserved';
      map.addSource(`src-${ty}`, { type: 'geojson', data: emptyFC(), cluster: clustered, clusterRadius: 45, clusterMaxZoom: 14 });
      const color: any = ty === 'EvacuationSpace' ? ['match', ['get', 'cat'], ...HAZARD_ORDER.flat(), '#546e7a'] : TYPE_COLORS[ty];
      if (clustered) {
        map.addLayer({ id: `cl-${ty}`, type: 'circle', source: `src-${ty}`, filter: ['has', 'point_count'], paint: { 'circle-color': TYPE_COLORS[ty], 'circle-opacity': 0.85, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5, 'circle-radius': ['step', ['get', 'point_count'], 12, 10, 15, 100, 19, 1000, 24] } });
        map.addLayer({ id: `cn-${ty}`, type: 'symbol', source: `src-${ty}`, filter: ['has', 'point_count'], layout: { 'icon-image': ['concat', 'cnt-', ['get', 'point_count_abbreviated']], 'icon-allow-overlap': true, 'icon-ignore-placement': true } });
      }
      map.addLayer({ id: `pt-${ty}`, type: 'circle', source: `src-${ty}`, filter: ['!', ['has', 'point_count']], paint: { 'circle-color': color, 'circle-radius': ty === 'GtfsStop' ? 4 : 6, 'circle-stroke-color': '#fff', 'circle-stroke-width': 1.5 } });
      if (ty === 'WeatherObserved')
        map.addLayer({ id: 'wx-label', type: 'symbol', source: `src-${ty}`, layout: { 'icon-image': ['get', 'label'], 'icon-anchor': 'bottom', 'icon-offset': [0, -8], 'icon-allow-overlap': true } });
    }
    const pointLayers = POINT_TYPES.map((ty) => `pt-${ty}`);

    const setVisibility = () => {
      for (const ty of POINT_TYPES) {
        const v = state.types.includes(ty) ? 'visible' : 'none';
        for (const id of [`cl-${ty}`, `cn-${ty}`, `pt-${ty}`, ty === 'WeatherObserved' ? 'wx-label' : ''])
          if (id && map.getLayer(id)) map.setLayoutProperty(id, 'visibility', v);
      }
    };

    // ---------- data ----------
    const selectedMuni = () => munis.find((m) => m.code === state.muni) ?? null;

    const toFeature = (e: Entity): GeoJSON.Feature | null => {
      const loc = e.location as { type?: string; coordinates?: [number, number] } | undefined;
      if (!loc || loc.type !== 'Point' || !Array.isArray(loc.coordinates)) return null;
      const p: Record<string, unknown> = { eid: e.id, name: e.name ?? e.stop_name ?? '' };
      if (e.type === 'EvacuationSpace' || e.type === 'EvacuationShelter') p.cat = hazardCategory(e);
      if (e.type === 'WeatherObserved') p.label = `wx|${fmtNum(e.temperature)}|${fmtNum(e.precipitation)}`;
      return { type: 'Feature', geometry: { type: 'Point', coordinates: loc.coordinates }, properties: p };
    };

    const matches = (e: Entity): boolean => {
      if (state.text) {
        const needle = state.text.toLowerCase();
        const hay = `${e.name ?? ''} ${e.fullAddress ?? ''} ${e.stop_name ?? ''}`.toLowerCase();
        if (!hay.includes(needle)) return false;
      }
      if (state.hazard.length && (e.type === 'EvacuationSpace' || e.type === 'EvacuationShelter'))
        if (!state.hazard.every((k) => e[HAZARDS[k]] === true)) return false;
      return true;
    };

    const refresh = (ty: string) => {
      if (ty === 'WeatherWarning') return paintWarnings();
      const src = map.getSource(`src-${ty}`) as GeoJSONSource | undefined;
      if (!src) return;
      const feats: GeoJSON.Feature[] = [];
      if (state.types.includes(ty)) for (const e of stores[ty].values()) if (matches(e)) {
        const f = toFeature(e);
        if (f) feats.push(f);
      }
      debug.shown[ty] = feats.length;
      countEls[ty].textContent = state.types.includes(ty) ? `(${feats.length})` : '';
      src.setData({ type: 'FeatureCollection', features: feats });
    };

    let warnedCodes: string[] = [];
    const paintWarnings = () => {
      for (const c of warnedCodes) map.setFeatureState({ source: 'boundaries', id: c }, { level: 0 });
      warnedCodes = [];
      if (!state.types.includes('WeatherWarning')) {
        countEls.WeatherWarning.textContent = '';
        return;
      }
      const max = new Map<string, number>();
      for (const e of stores.WeatherWarning.values()) {
        const code = String(e.areaCode ?? '').slice(0, 5);
        const lv = Number(e.warningLevel ?? 0);
        if (code.length === 5 && lv > 0) max.set(code, Math.max(max.get(code) ?? 0, lv));
      }
      for (const [c, lv] of max) map.setFeatureState({ source: 'boundaries', id: c }, { level: lv });
      warnedCodes = [...max.keys()];
      debug.shown.WeatherWarning = max.size;
      (debug as any).warningLevels = Object.fromEntries(max);
      countEls.WeatherWarning.textContent = `(${max.size})`;
    };

    const loadType = async (ty: string, signal: AbortSignal) => {
      const m = selectedMuni();
      const geo = ty === 'WeatherWarning' ? null : m?.geometry ?? null;
      const list = await queryAll(ty, { attrs: ATTRS[ty], q: ty === 'WeatherWarning' ? undefined : state.q || undefined, geometry: geo, signal });
      if (signal.aborted) return;
      stores[ty] = new Map(list.map((e) => [e.id, e]));
      debug.loaded[ty] = list.length;
      refresh(ty);
    };

    const loaded = new Set<string>();
    const reload = async (only?: string[]) => {
      abort.abort();
      abort = new AbortController();
      const signal = abort.signal;
      const todo = (only ?? state.types).filter((ty) => state.types.includes(ty));
      if (!only) loaded.clear();
      status.textContent = s.loading;
      qErr.textContent = '';
      debug.ready = false;
      const results = await Promise.allSettled(todo.map((ty) => loadType(ty, signal).then(() => loaded.add(ty))));
      if (signal.aborted || disposed) return;
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      if (failed) {
        const body = String((failed.reason as { body?: string })?.body ?? failed.reason);
        qErr.textContent = body.slice(0, 300);
      }
      for (const ty of POINT_TYPES) if (!state.types.includes(ty)) refresh(ty);
      if (!state.types.includes('WeatherWarning')) paintWarnings();
      const total = POINT_TYPES.reduce((n, ty) => n + (state.types.includes(ty) ? debug.shown[ty] ?? 0 : 0), 0);
      status.textContent = `${total} ${s.shown}`;
      map.once('idle', () => {
        debug.ready = true;
        debug.idleCount++;
        if (!(debug as any).firstIdleMs) (debug as any).firstIdleMs = performance.now();
      });
      map.triggerRepaint();
    };

    // ---------- filters ----------
    munis = await munisP;
    for (const m of munis) muniSel.append(h('option', { value: m.code, selected: m.code === state.muni }, lang === 'en' ? m.nameEn : m.nameJa));
    const markSelected = () => {
      for (const m of munis) map.setFeatureState({ source: 'boundaries', id: m.code5 }, { selected: m.code === state.muni });
    };
    const zoomToMuni = () => {
      const m = selectedMuni();
      const b = m?.geometry ? bbox(m.geometry) : PREF_BOUNDS;
      map.fitBounds(b, { padding: 30, duration: 0 });
    };
    const sync = () => {
      state.center = [map.getCenter().lng, map.getCenter().lat, map.getZoom()];
      writeState(state);
    };
    muniSel.addEventListener('change', () => {
      state.muni = muniSel.value;
      markSelected();
      zoomToMuni();
      sync();
      void reload();
    });
    typeBox.addEventListener('change', () => {
      const before = new Set(state.types);
      state.types = [...typeBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      sync();
      setVisibility();
      const added = state.types.filter((ty) => !before.has(ty) && !loaded.has(ty));
      for (const ty of ALL_TYPES) if (!added.includes(ty)) refresh(ty);
      if (added.length) void reload(added);
    });
    let textTimer = 0;
    textIn.addEventListener('input', () => {
      clearTimeout(textTimer);
      textTimer = window.setTimeout(() => {
        state.text = textIn.value.trim();
        sync();
        for (const ty of POINT_TYPES) refresh(ty);
        map.once('idle', () => debug.idleCount++);
      }, 200);
    });
    hazBox.addEventListener('change', () => {
      state.hazard = [...hazBox.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => i.value);
      sync();
      refresh('EvacuationSpace');
      refresh('EvacuationShelter');
    });
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      state.q = qIn.value.trim();
      sync();
      void reload();
    });
    form.addEventListener('reset', () => {
      setTimeout(() => {
        Object.assign(state, { muni: '', types: [...ALL_TYPES], text: '', q: '', hazard: [] });
        for (const i of typeBox.querySelectorAll<HTMLInputElement>('input')) i.checked = true;
        markSelected();
        zoomToMuni();
        sync();
        setVisibility();
        void reload();
      });
    });
    map.on('moveend', sync);

    // ---------- interaction ----------
    const popup = new maplibregl.Popup({ maxWidth: '360px', closeButton: true, focusAfterOpen: true });
    for (const ty of POINT_TYPES) {
      if (ty !== 'WeatherObserved')
        map.on('click', `cl-${ty}`, async (e) => {
          const f = e.features?.[0] as MapGeoJSONFeature | undefined;
          if (!f) return;
          const src = map.getSource(`src-${ty}`) as GeoJSONSource;
          const z = await src.getClusterExpansionZoom(f.properties.cluster_id as number);
          map.easeTo({ center: (f.geometry as GeoJSON.Point).coordinates as [number, number], zoom: z });
        });
      for (const layer of [`cl-${ty}`, `pt-${ty}`]) {
        map.on('mouseenter', layer, () => (map.getCanvas().style.cursor = 'pointer'));
        map.on('mouseleave', layer, () => (map.getCanvas().style.cursor = ''));
      }
    }
    const openEntity = async (id: string, lngLat: [number, number]) => {
      popup.setLngLat(lngLat).setDOMContent(h('p', {}, s.loading)).addTo(map);
      try {
        const e = await getJson<Entity>(`${entityUrl(id)}?options=keyValues`);
        popup.setDOMContent(renderPopup(e, lang, (ent) => showChart(ent)));
        if (e.type === 'WeatherObserved') showChart(e);
      } catch (err) {
        popup.setDOMContent(h('p', { class: 'error' }, String(err)));
      }
    };
    const showChart = (e: Entity) => {
      chartPanel.hidden = false;
      openStationChart(chartPanel, e, () => (chartPanel.hidden = true));
    };
    map.on('click', (e) => {
      const feats = map.queryRenderedFeatures(e.point, { layers: pointLayers.filter((l) => map.getLayer(l)) });
      const f = feats[0];
      if (!f) return;
      void openEntity(String(f.properties.eid), (f.geometry as GeoJSON.Point).coordinates as [number, number]);
    });
    (debug as any).openEntity = (id: string) => {
      for (const ty of POINT_TYPES) {
        const e = stores[ty].get(id);
        const loc = e?.location as { coordinates: [number, number] } | undefined;
        if (loc) return openEntity(id, loc.coordinates);
      }
      return undefined;
    };

    // ---------- live ----------
    const pending = new Set<string>();
    let flushTimer = 0;
    const schedule = (ty: string) => {
      pending.add(ty);
      if (!flushTimer)
        flushTimer = window.setTimeout(() => {
          flushTimer = 0;
          for (const x of pending) refresh(x);
          pending.clear();
        }, 30);
    };
    const onChange = async (ev: ChangeEvent) => {
      const ty = ev.type;
      if (!stores[ty]) return;
      if (!state.types.includes(ty)) {
        loaded.delete(ty); // missed while hidden: shown again, the layer is read afresh
        return;
      }
      if (ev.op === 'delete') {
        stores[ty].delete(ev.id);
      } else {
        const m = selectedMuni();
        const body: Record<string, unknown> = { type: 'Query', entities: [{ id: ev.id, type: ty }] };
        if (state.q && ty !== 'WeatherWarning') body.q = state.q;
        if (m?.geometry && ty !== 'WeatherWarning') body.geoQ = { geometry: m.geometry.type, coordinates: m.geometry.coordinates, georel: 'within' };
        try {
          const headers: Record<string, string> = {};
          if (ev.tenant) headers['NGSILD-Tenant'] = ev.tenant;
          const r = await fetch(`/ngsi-ld/v1/entityOperations/query?options=keyValues&limit=1&attrs=${ATTRS[ty].join(',')}`, {
            method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json', Accept: 'application/json', ...headers }, body: JSON.stringify(body),
          });
          const list = r.ok ? ((await r.json()) as Entity[]) : [];
          const e = list[0];
          if (e && (!m?.geometry || ty === 'WeatherWarning' || !e.location || within((e.location as { coordinates: [number, number] }).coordinates, m.geometry))) stores[ty].set(e.id, e);
          else stores[ty].delete(ev.id);
        } catch {
          return;
        }
      }
      debug.lastUpdate = { id: ev.id, at: performance.now() };
      schedule(ty);
    };
    const closeLive = connectLive([...ALL_TYPES], (ev) => void onChange(ev), () => void reload());

    // ---------- start ----------
    markSelected();
    if (state.muni && !state.center) zoomToMuni();
    setVisibility();
    sync();
    await reload();

    return () => {
      disposed = true;
      abort.abort();
      closeLive();
      popup.remove();
      map.remove();
      debug.map = null;
    };
  },
};

export default view;
