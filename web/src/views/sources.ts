// Data sources: the connectors with their schedule, last run, counts, rejected rows and "run now".
import type { View } from '../view';
import { h, href, fmtTime } from '../dom';
import { t, currentLang } from '../i18n';
import { getJson, HttpError } from '../api';

interface Run { status?: string; startedAt?: string; endedAt?: string; durationMs?: number; rows?: number; created?: number; updated?: number; unchanged?: number; deleted?: number; rejected?: number; notes?: string[]; rejections?: { line: number; id?: string; reason: string; row?: string }[] }
interface Connector { name: string; type?: string; format?: string; source?: string; schedule?: string; state?: string; nextRunAt?: string; tenant?: string; lastRun?: Run }

const view: View = {
  async mount(root) {
    const s = t();
    const lang = currentLang();
    const page = h('section', { class: 'page' }, h('h1', {}, s.sourcesTitle));
    root.append(page);
    let list: Connector[];
    try {
      list = await getJson<Connector[]>('/dejima/v1/connectors');
    } catch (err) {
      if (err instanceof HttpError && (err.status === 401 || err.status === 403)) {
        page.append(h('p', { 'data-testid': 'signin-prompt' }, err.status === 401 ? s.signInNeeded : s.forbidden, ' ', h('a', { href: href('/login') + (href('/login').includes('?') ? '&' : '?') + 'next=/sources', 'data-link': '' }, s.navLogin)));
      } else page.append(h('p', { class: 'error' }, String(err)));
      return;
    }
    const cards = list.map((c) => {
      const r = c.lastRun;
      const detail = h('details', { class: 'rejections' }, h('summary', {}, `${s.rejectedRows} (${r?.rejected ?? 0})`));
      const msg = h('span', { class: 'run-msg', role: 'status' });
      const btn = h('button', { type: 'button', 'data-testid': 'run-now', 'data-connector': c.name }, s.runNow);
      btn.addEventListener('click', async () => {
        btn.disabled = true;
        const res = await fetch(`/dejima/v1/connectors/${encodeURIComponent(c.name)}/runs`, { method: 'POST', credentials: 'same-origin' });
        msg.textContent = res.ok ? s.runStarted : res.status === 403 || res.status === 401 ? s.forbidden : `HTTP ${res.status}`;
        btn.disabled = false;
      });
      detail.addEventListener('toggle', async () => {
        if (!detail.open || detail.dataset.loaded) return;
        detail.dataset.loaded = '1';
        try {
          const runs = await getJson<Run[]>(`/dejima/v1/connectors/${encodeURIComponent(c.name)}/runs`);
          const rej = runs.flatMap((x) => x.rejections ?? []);
          detail.append(rej.length
            ? h('table', {}, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, s.line), h('th', { scope: 'col' }, s.reason))), h('tbody', {}, ...rej.map((x) => h('tr', {}, h('td', {}, String(x.line)), h('td', {}, x.reason)))))
            : h('p', {}, s.noData));
        } catch (err) {
          detail.append(h('p', { class: 'error' }, String(err)));
        }
      });
      return h('article', { class: 'connector', 'data-testid': 'connector', 'data-name': c.name },
        h('h2', {}, c.name),
        h('dl', {},
          h('dt', {}, s.entityTypes), h('dd', {}, `${c.type ?? ''} (${c.format ?? ''})`),
          h('dt', {}, s.schedule), h('dd', {}, c.schedule ?? '—'),
          h('dt', {}, s.status), h('dd', {}, `${c.state ?? ''} / ${r?.status ?? '—'}`),
          h('dt', {}, s.lastRun), h('dd', {}, r ? `${fmtTime(r.startedAt, lang)} (${r.durationMs ?? 0} ms)` : '—'),
          h('dt', {}, s.nextRun), h('dd', {}, fmtTime(c.nextRunAt, lang) || '—'),
          h('dt', {}, s.counts), h('dd', {}, r ? `rows ${r.rows ?? 0} / created ${r.created ?? 0} / updated ${r.updated ?? 0} / unchanged ${r.unchanged ?? 0} / deleted ${r.deleted ?? 0} / rejected ${r.rejected ?? 0}` : '—'),
        ),
        detail,
        h('div', {}, btn, ' ', msg),
      );
    });
    page.append(h('div', { class: 'connectors', 'data-testid': 'connectors' }, ...cards));
  },
};
export default view;
