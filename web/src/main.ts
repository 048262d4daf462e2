import './style.css';
import 'maplibre-gl/dist/maplibre-gl.css';
import './debug';
import { t, currentLang } from './i18n';
import { h, href } from './dom';
import { me, type Me } from './api';
import { onLiveStatus } from './live';

import type { Cleanup, View, Ctx } from './view';

// Routes; admin screens slot in here (and in NAV) later.
const routes: Record<string, () => Promise<View>> = {
  '/': () => import('./views/map').then((m) => m.default),
  '/warnings': () => import('./views/warnings').then((m) => m.default),
  '/stats': () => import('./views/stats').then((m) => m.default),
  '/sources': () => import('./views/sources').then((m) => m.default),
  '/datasets': () => import('./views/datasets').then((m) => m.default),
  '/datasets/': () => import('./views/dataset').then((m) => m.default),
  '/developers': () => import('./views/developers').then((m) => m.default),
  '/developers/api': () => import('./views/apiref').then((m) => m.default),
  '/login': () => import('./views/login').then((m) => m.default),
};

const NAV: { path: string; key: 'navMap' | 'navWarnings' | 'navStats' | 'navDatasets' | 'navSources' | 'navDevelopers' }[] = [
  { path: '/', key: 'navMap' },
  { path: '/warnings', key: 'navWarnings' },
  { path: '/stats', key: 'navStats' },
  { path: '/datasets', key: 'navDatasets' },
  { path: '/sources', key: 'navSources' },
  { path: '/developers', key: 'navDevelopers' },
];

const app = document.getElementById('app')!;
let cleanup: Cleanup | void = undefined;
let user: Me | null = null;
let renderSeq = 0;

const ctx: Ctx = {
  get me() {
    return user;
  },
  navigate(path: string) {
    history.pushState(null, '', path);
    void render();
  },
  async refreshUser() {
    user = await me();
  },
};

function header(): HTMLElement {
  const s = t();
  const path = location.pathname;
  const nav = h('nav', { 'aria-label': 'main', class: 'nav' },
    ...NAV.map((n) => h('a', { href: href(n.path), 'data-link': '', 'aria-current': path === n.path || path.startsWith(n.path + '/') ? 'page' : null }, s[n.key])),
    h('span', { class: 'nav-admin', 'data-slot': 'admin' }),
  );
  const liveEl = h('span', { class: 'live is-offline', 'data-testid': 'live-indicator', role: 'status' }, s.offline);
  onLiveStatus((st) => {
    liveEl.className = `live is-${st}`;
    liveEl.textContent = st === 'live' ? s.live : s.offline;
  });
  const langBtn = h('button', { type: 'button', class: 'lang', 'data-testid': 'lang-toggle', 'aria-label': s.langSwitchLabel, lang: currentLang() === 'en' ? 'ja' : 'en' }, s.langSwitch);
  langBtn.addEventListener('click', () => {
    const p = new URLSearchParams(location.search);
    if (currentLang() === 'en') p.delete('lang');
    else p.set('lang', 'en');
    const qs = p.toString().replace(/%2C/g, ',');
    history.replaceState(null, '', location.pathname + (qs ? '?' + qs : ''));
    void render();
  });
  const userBox = h('span', { class: 'user', 'data-testid': 'user-box' });
  if (user?.user) {
    const out = h('button', { type: 'button', 'data-testid': 'logout' }, s.logout);
    out.addEventListener('click', async () => {
      await fetch('/dejima/v1/logout', { method: 'POST', credentials: 'same-origin' }).catch(() => {});
      user = null;
      void render();
    });
    userBox.append(h('span', { 'data-testid': 'user-name' }, `${s.signedInAs}: ${user.user.displayName ?? user.user.name}`), ' ', out);
  } else {
    userBox.append(h('a', { href: href('/login'), 'data-link': '' }, s.navLogin));
  }
  return h('header', { class: 'top' }, h('a', { class: 'brand', href: href('/'), 'data-link': '' }, s.appName), nav, h('span', { class: 'spacer' }), liveEl, langBtn, userBox);
}

async function render(): Promise<void> {
  const seq = ++renderSeq;
  document.documentElement.lang = currentLang();
  if (typeof cleanup === 'function') cleanup();
  cleanup = undefined;
  // A dataset's page is /datasets/{name}; every other route is its exact path.
  const path = location.pathname.startsWith('/datasets/') ? '/datasets/' : location.pathname;
  const load = routes[path] ?? routes['/'];
  app.replaceChildren(header(), h('main', { id: 'main', class: `view view-${path.split('/')[1] || 'map'}` }));
  document.title = t().appName;
  const view = await load();
  if (seq !== renderSeq) return;
  const main = app.querySelector('main')!;
  cleanup = await view.mount(main, ctx);
  if (seq !== renderSeq && typeof cleanup === 'function') cleanup();
}

document.addEventListener('click', (e) => {
  const a = (e.target as Element).closest?.('a[data-link]') as HTMLAnchorElement | null;
  if (!a || e.ctrlKey || e.metaKey || e.shiftKey || e.button !== 0) return;
  e.preventDefault();
  ctx.navigate(a.getAttribute('href')!);
});
window.addEventListener('popstate', () => void render());

void ctx.refreshUser().then(render);
