// The popup of a clicked entity: its attributes under Japanese (or English) labels and its API URL.
import { h, fmtTime } from '../dom';
import { attrLabel } from '../labels';
import { entityUrl, type Entity } from '../api';
import { t } from '../i18n';

function valueText(k: string, v: unknown, lang: 'ja' | 'en'): string {
  if (v === true) return lang === 'en' ? 'Yes' : '○';
  if (v === false) return lang === 'en' ? 'No' : '—';
  if (k === 'location' && v && typeof v === 'object') {
    const c = (v as { coordinates?: number[] }).coordinates;
    return Array.isArray(c) && typeof c[0] === 'number' ? `${c[1].toFixed(5)}, ${c[0].toFixed(5)}` : JSON.stringify(v);
  }
  if (typeof v === 'string' && /^\d{4}-\d\d-\d\dT/.test(v)) return fmtTime(v, lang);
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' && x ? String((x as { name?: string }).name ?? JSON.stringify(x)) : String(x))).join('、');
  if (v && typeof v === 'object') return JSON.stringify(v);
  return String(v ?? '');
}

export function renderPopup(e: Entity, lang: 'ja' | 'en', onChart: (e: Entity) => void): HTMLElement {
  const s = t();
  const rows = Object.entries(e)
    .filter(([k]) => k !== 'id' && k !== 'type' && k !== '@context')
    .map(([k, v]) => {
      const val = valueText(k, v, lang);
      const cell = /^https?:\/\//.test(val) ? h('td', {}, h('a', { href: val, target: '_blank', rel: 'noopener noreferrer' }, val)) : h('td', {}, val);
      return h('tr', { 'data-attr': k }, h('th', { scope: 'row' }, attrLabel(k, lang)), cell);
    });
  const box = h('div', { class: 'popup', 'data-testid': 'popup', 'data-entity-id': e.id },
    h('h3', {}, String(e.name ?? e.id)),
    h('p', { class: 'ptype' }, s.types[e.type] ?? e.type),
    h('div', { class: 'ptable' }, h('table', {}, h('tbody', {}, ...rows))),
    h('p', {}, h('a', { href: entityUrl(e.id) + '?options=keyValues', target: '_blank', rel: 'noopener', 'data-testid': 'popup-api-link' }, `${s.apiLink}: ${entityUrl(e.id)}`)),
  );
  if (e.type === 'WeatherObserved') {
    const b = h('button', { type: 'button', 'data-testid': 'popup-chart' }, s.showChart);
    b.addEventListener('click', () => onChart(e));
    box.append(b);
  }
  return box;
}
