// The map view's state lives in the query string, so a reload or a shared link restores it.
export const ALL_TYPES = [
  'EvacuationSpace',
  'EvacuationShelter',
  'TouristAttraction',
  'WeatherObserved',
  'WeatherWarning',
  'GtfsStop',
] as const;

export const HAZARDS: Record<string, string> = {
  flood: 'typeOfDisasterFlood',
  landslide: 'typeOfDisasterLandslide',
  stormsurge: 'typeOfDisasterStormSurge',
  earthquake: 'typeOfDisasterEarthquake',
  tsunami: 'typeOfDisasterTsunami',
  fire: 'typeOfDisasterFire',
  inlandflood: 'typeOfDisasterInlandFlood',
  eruption: 'typeOfDisasterEruption',
};

export interface MapState {
  muni: string; // 6-digit 団体コード, '' = all
  types: string[];
  text: string;
  q: string;
  hazard: string[];
  center: [number, number, number] | null; // lng, lat, zoom
}

export function readState(): MapState {
  const p = new URLSearchParams(location.search);
  const types = p.get('types');
  const c = (p.get('c') ?? '').split(',').map(Number);
  return {
    muni: p.get('muni') ?? '',
    types: types === null ? [...ALL_TYPES] : types.split(',').filter((x) => x),
    text: p.get('text') ?? '',
    q: p.get('q') ?? '',
    hazard: (p.get('hazard') ?? '').split(',').filter((h) => h in HAZARDS),
    center: c.length === 3 && c.every((x) => Number.isFinite(x)) ? [c[0], c[1], c[2]] : null,
  };
}

// Writes the state into the URL (replaceState: filter changes don't pile up history entries).
export function writeState(s: MapState): void {
  const p = new URLSearchParams(location.search);
  const set = (k: string, v: string) => (v ? p.set(k, v) : p.delete(k));
  set('muni', s.muni);
  const allTypes = s.types.length === ALL_TYPES.length && ALL_TYPES.every((x) => s.types.includes(x));
  if (allTypes) p.delete('types');
  else p.set('types', s.types.join(','));
  set('text', s.text);
  set('q', s.q);
  set('hazard', s.hazard.join(','));
  set('c', s.center ? `${s.center[0].toFixed(5)},${s.center[1].toFixed(5)},${s.center[2].toFixed(2)}` : '');
  const qs = p.toString();
  const url = location.pathname + (qs ? '?' + qs.replace(/%2C/g, ',') : '');
  if (url !== location.pathname + location.search) history.replaceState(history.state, '', url);
}
