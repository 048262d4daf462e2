// The interactive API reference: Swagger UI (swagger-ui-dist from npm, bundled and served by
// Dejima, nothing from the internet) over /openapi.json; "Try it out" calls this server.
import SwaggerUI from 'swagger-ui-dist/swagger-ui-es-bundle.js';
import 'swagger-ui-dist/swagger-ui.css';
import type { View } from '../view';
import { h } from '../dom';
import { t } from '../i18n';

const view: View = {
  mount(root) {
    const s = t();
    const ui = h('div', { 'data-testid': 'api-reference' });
    root.append(h('section', { class: 'page apiref' }, h('h1', {}, s.apiReference), h('p', {}, s.apiReferenceIntro, ' ', h('a', { href: '/openapi.json' }, '/openapi.json')), ui));
    SwaggerUI({ url: '/openapi.json', domNode: ui, deepLinking: false, validatorUrl: null, tryItOutEnabled: false, withCredentials: true, docExpansion: 'none', defaultModelsExpandDepth: -1 });
  },
};
export default view;
