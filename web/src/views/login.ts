// Sign-in: POST /dejima/v1/login sets the HttpOnly session cookie.
import type { View } from '../view';
import { h, href } from '../dom';
import { t } from '../i18n';

const view: View = {
  mount(root, ctx) {
    const s = t();
    const err = h('p', { class: 'error', role: 'alert', 'data-testid': 'login-error' });
    const user = h('input', { id: 'l-user', name: 'user', autocomplete: 'username', required: true, 'data-testid': 'login-user' });
    const pw = h('input', { id: 'l-pw', name: 'password', type: 'password', autocomplete: 'current-password', required: true, 'data-testid': 'login-password' });
    const form = h('form', { class: 'login', 'aria-label': s.loginTitle },
      h('div', { class: 'field' }, h('label', { for: 'l-user' }, s.user), user),
      h('div', { class: 'field' }, h('label', { for: 'l-pw' }, s.password), pw),
      h('button', { type: 'submit', 'data-testid': 'login-submit' }, s.signIn), err);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      err.textContent = '';
      const r = await fetch('/dejima/v1/login', {
        method: 'POST', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ user: user.value, password: pw.value }),
      });
      if (!r.ok) {
        err.textContent = `${s.loginFailed} (${r.status})`;
        return;
      }
      await ctx.refreshUser();
      const next = new URLSearchParams(location.search).get('next');
      ctx.navigate(href(next && next.startsWith('/') && !next.startsWith('//') ? next : '/sources'));
    });
    root.append(h('section', { class: 'page narrow' }, h('h1', {}, s.loginTitle), form));
    user.focus();
  },
};
export default view;
