// Warnings and advisories in force per municipality (WeatherWarning entities), newest first.
import type { View } from '../view';
import { h, fmtTime } from '../dom';
import { t, currentLang } from '../i18n';
import { queryAll, municipalities, type Entity } from '../api';
import { WARNING_COLORS } from '../warncolors';
import { connectLive } from '../live';

function when(e: Entity): string {
  return String(e.dateIssued ?? e.reportDateTime ?? e.observedAt ?? e.modifiedAt ?? '');
}

const view: View = {
  async mount(root) {
    const s = t();
    const lang = currentLang();
    const list = h('div', { class: 'warnings', 'data-testid': 'warnings-list' });
    const status = h('p', { class: 'status', role: 'status' }, s.loading);
    root.append(h('section', { class: 'page' }, h('h1', {}, s.warningsTitle), status, list));
    const munis = await municipalities();
    const nameOf = (code: string) => {
      const m = munis.find((x) => x.code5 === code.slice(0, 5));
      return m ? (lang === 'en' ? m.nameEn : m.nameJa) : code;
    };
    const areaTitle = (e: Entity) => {
      const muni = nameOf(String(e.areaCode ?? ''));
      const area = String(e.name ?? '');
      return area && area !== muni && lang === 'ja' ? `${muni}（${area}）` : muni;
    };
    const load = async () => {
      let all: Entity[] = [];
      try {
        all = await queryAll('WeatherWarning', { attrs: ['areaCode', 'name', 'warningLevel', 'alerts', 'headline', 'title', 'dateIssued', 'reportDateTime', 'publisher'] });
      } catch (err) {
        status.textContent = String(err);
        return;
      }
      const active = all.filter((e) => Number(e.warningLevel ?? 0) > 0 || (Array.isArray(e.alerts) && e.alerts.length > 0));
      active.sort((a, b) => when(b).localeCompare(when(a)));
      status.textContent = active.length ? '' : s.noWarnings;
      list.replaceChildren(
        ...active.map((e) => {
          const lv = Math.min(5, Math.max(0, Math.round(Number(e.warningLevel ?? 0)) || 0));
          const c = WARNING_COLORS[lv];
          const alerts = Array.isArray(e.alerts) ? (e.alerts as { name?: string; status?: string }[]) : [];
          return h('article', { class: 'warning', 'data-testid': 'warning-item', 'data-level': lv },
            h('span', { class: 'badge', style: `background:${c.bg};color:${c.fg}`, 'data-testid': 'warning-badge' }, `${s.level} ${lv}`),
            h('h2', {}, areaTitle(e)),
            h('p', {}, alerts.map((a) => `${a.name ?? ''}${a.status ? `（${a.status}）` : ''}`).join('、') || String(e.headline ?? '')),
            h('p', { class: 'meta' }, `${s.reported}: ${fmtTime(when(e), lang)} ${e.title ? '— ' + String(e.title) : ''}`),
          );
        }),
      );
    };
    await load();
    let timer = 0;
    const close = connectLive(['WeatherWarning'], () => {
      clearTimeout(timer);
      timer = window.setTimeout(() => void load(), 200);
    }, () => void load());
    return close;
  },
};
export default view;
