// Entity count per type and municipality (geo queries within each boundary, count only).
import type { View } from '../view';
import { h } from '../dom';
import { t, currentLang } from '../i18n';
import { countOf, municipalities } from '../api';
import { ALL_TYPES } from '../state';
import { TYPE_COLORS } from '../warncolors';

const view: View = {
  async mount(root) {
    const s = t();
    const lang = currentLang();
    const types = ALL_TYPES.filter((x) => x !== 'WeatherWarning');
    const status = h('p', { class: 'status', role: 'status' }, s.loading);
    const box = h('div', { class: 'stats', 'data-testid': 'stats' });
    root.append(h('section', { class: 'page' }, h('h1', {}, s.statsTitle), status, box));
    const munis = (await municipalities()).filter((m) => m.geometry);
    const rows: { name: string; counts: number[] }[] = munis.map((m) => ({ name: lang === 'en' ? m.nameEn : m.nameJa, counts: types.map(() => 0) }));
    const jobs: (() => Promise<void>)[] = [];
    munis.forEach((m, i) => types.forEach((ty, j) => jobs.push(async () => {
      rows[i].counts[j] = await countOf(ty, m.geometry).catch(() => 0);
    })));
    let next = 0;
    await Promise.all([0, 1, 2, 3].map(async () => {
      while (next < jobs.length) await jobs[next++]();
    }));
    const max = Math.max(1, ...rows.map((r) => r.counts.reduce((a, b) => a + b, 0)));
    status.textContent = '';
    const legend = h('p', { class: 'legend-inline' }, ...types.map((ty) => h('span', {}, h('i', { style: `background:${TYPE_COLORS[ty]}` }), s.types[ty])));
    const table = h('table', { class: 'counts' },
      h('caption', {}, s.statsTitle),
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, s.municipality), ...types.map((ty) => h('th', { scope: 'col' }, s.types[ty])), h('th', { scope: 'col' }, s.total), h('th', { scope: 'col', class: 'barcol' }, ''))),
      h('tbody', {}, ...rows.map((r) => {
        const total = r.counts.reduce((a, b) => a + b, 0);
        const bar = h('div', { class: 'bar', 'aria-hidden': 'true' }, ...r.counts.map((c, j) => h('span', { style: `width:${(100 * c) / max}%;background:${TYPE_COLORS[types[j]]}` })));
        return h('tr', {}, h('th', { scope: 'row' }, r.name), ...r.counts.map((c) => h('td', {}, String(c))), h('td', {}, String(total)), h('td', { class: 'barcol' }, bar));
      })),
    );
    box.append(legend, table);
  },
};
export default view;
