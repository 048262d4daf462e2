// The data catalog: keyword search and facets over package_search, the state in the URL
// (?q=&org=&group=&tag=&format=&license=&page=), twenty datasets a page.
import type { View, Ctx } from '../view';
import { h, href, fmtTime } from '../dom';
import { t, currentLang } from '../i18n';
import { FACETS, searchDatasets, type CkanPackage } from '../catalog';

const ROWS = 20;

interface ListState { q: string; chosen: Record<string, string[]>; page: number }

function readList(): ListState {
  const p = new URLSearchParams(location.search);
  const chosen: Record<string, string[]> = {};
  for (const f of FACETS) chosen[f.param] = p.getAll(f.param);
  return { q: p.get('q') ?? '', chosen, page: Math.max(1, Number(p.get('page')) || 1) };
}

function listUrl(st: ListState): string {
  const p = new URLSearchParams();
  const lang = new URLSearchParams(location.search).get('lang');
  if (st.q) p.set('q', st.q);
  for (const f of FACETS) for (const v of st.chosen[f.param] ?? []) p.append(f.param, v);
  if (st.page > 1) p.set('page', String(st.page));
  if (lang) p.set('lang', lang);
  const qs = p.toString();
  return '/datasets' + (qs ? '?' + qs : '');
}

function card(d: CkanPackage): HTMLElement {
  const s = t();
  const lang = currentLang();
  const formats = [...new Set(d.resources.map((r) => r.format))];
  return h('article', { class: 'dataset-card', 'data-testid': 'dataset', 'data-name': d.name },
    h('h2', {}, h('a', { href: href(`/datasets/${encodeURIComponent(d.name)}`), 'data-link': '' }, d.title), d.private ? h('span', { class: 'tag private' }, s.privateBadge) : null),
    h('p', { class: 'meta' }, `${d.organization?.title ?? ''} · ${d.license_title ?? d.license_id} · ${s.modified} ${fmtTime(d.metadata_modified + 'Z', lang)}`),
    d.notes ? h('p', { class: 'notes' }, d.notes) : null,
    h('p', { class: 'formats' }, ...formats.map((f) => h('span', { class: 'fmt' }, f)), ...d.tags.map((x) => h('span', { class: 'tag' }, x.name))),
  );
}

const view: View = {
  async mount(root, ctx: Ctx) {
    const s = t();
    const st = readList();
    const go = (next: ListState) => ctx.navigate(listUrl(next));
    const input = h('input', { type: 'search', id: 'ds-q', name: 'q', value: st.q, 'data-testid': 'dataset-search' });
    const form = h('form', { class: 'ds-search', role: 'search' }, h('label', { for: 'ds-q' }, s.keyword), input, h('button', { type: 'submit' }, s.search));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      go({ ...st, q: input.value.trim(), page: 1 });
    });
    const status = h('p', { class: 'status', role: 'status', 'data-testid': 'dataset-count' }, s.loading);
    const facets = h('aside', { class: 'facets', 'aria-label': s.filters });
    const list = h('div', { class: 'dataset-list' });
    const pager = h('nav', { class: 'pager', 'aria-label': s.page });
    root.append(h('section', { class: 'page catalog' },
      h('h1', {}, s.datasetsTitle),
      h('p', {}, s.datasetsIntro),
      h('p', { class: 'meta' }, `${s.catalogApis}: `, h('a', { href: '/api/3/action/package_list' }, 'CKAN API'), ' · ', h('a', { href: '/catalog' }, 'DCAT-AP (JSON-LD)'), ' · ', h('a', { href: '/catalog?format=ttl' }, 'Turtle'), ' · ', h('a', { href: href('/developers/api'), 'data-link': '' }, s.apiReference)),
      form,
      h('div', { class: 'catalog-layout' }, facets, h('div', {}, status, list, pager)),
    ));

    let found;
    try {
      found = await searchDatasets(st.q, st.chosen, ROWS, (st.page - 1) * ROWS);
    } catch (err) {
      status.textContent = String(err);
      status.className = 'error';
      return;
    }
    status.textContent = `${found.count} ${s.datasetsFound}`;
    list.append(...found.results.map(card));

    for (const f of FACETS) {
      const items = found.search_facets[f.field]?.items ?? [];
      const chosen = st.chosen[f.param] ?? [];
      if (!items.length && !chosen.length) continue;
      const box = h('fieldset', { 'data-testid': `facet-${f.field}` }, h('legend', {}, s[f.label]));
      for (const it of [...items].sort((a, b) => b.count - a.count || a.display_name.localeCompare(b.display_name))) {
        const id = `facet-${f.param}-${it.name}`;
        const cb = h('input', { type: 'checkbox', id, checked: chosen.includes(it.name), 'data-value': it.name });
        cb.addEventListener('change', () => {
          const next = cb.checked ? [...chosen, it.name] : chosen.filter((v) => v !== it.name);
          go({ ...st, chosen: { ...st.chosen, [f.param]: next }, page: 1 });
        });
        box.append(h('div', { class: 'check' }, cb, h('label', { for: id }, it.display_name, ' ', h('span', { class: 'count' }, `(${it.count})`))));
      }
      facets.append(box);
    }
    if (FACETS.some((f) => (st.chosen[f.param] ?? []).length)) {
      const clear = h('button', { type: 'button' }, s.clearFilters);
      clear.addEventListener('click', () => go({ q: st.q, chosen: {}, page: 1 }));
      facets.append(clear);
    }

    const pages = Math.max(1, Math.ceil(found.count / ROWS));
    if (pages > 1) {
      if (st.page > 1) pager.append(h('a', { href: listUrl({ ...st, page: st.page - 1 }), 'data-link': '', rel: 'prev' }, s.prevPage));
      pager.append(h('span', {}, ` ${st.page} / ${pages} `));
      if (st.page < pages) pager.append(h('a', { href: listUrl({ ...st, page: st.page + 1 }), 'data-link': '', rel: 'next' }, s.nextPage));
    }
  },
};
export default view;
