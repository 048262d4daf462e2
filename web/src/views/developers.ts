// Developer page: per entity type an example request (curl, JavaScript) and the API URL.
import type { View } from '../view';
import { h } from '../dom';
import { t } from '../i18n';
import { getJson } from '../api';

const view: View = {
  async mount(root) {
    const s = t();
    const origin = location.origin;
    const page = h('section', { class: 'page dev' }, h('h1', {}, s.developersTitle), h('p', {}, s.devIntro), h('p', { 'data-testid': 'apikey-howto' }, s.apiKeyHowTo));
    page.append(h('pre', {}, h('code', {}, `curl -H 'X-API-Key: <your key>' '${origin}/ngsi-ld/v1/entities?type=EvacuationSpace&limit=10'`)));
    root.append(page);
    let types: string[] = [];
    try {
      types = (await getJson<{ typeList?: string[] }>('/ngsi-ld/v1/types')).typeList ?? [];
    } catch (err) {
      page.append(h('p', { class: 'error' }, String(err)));
    }
    for (const ty of types) {
      const url = `${origin}/ngsi-ld/v1/entities?type=${encodeURIComponent(ty)}&options=keyValues&limit=100`;
      page.append(h('article', { class: 'devtype', 'data-testid': 'dev-type', 'data-type': ty },
        h('h2', {}, `${s.types[ty] ?? ty} (${ty})`),
        h('p', {}, 'API: ', h('a', { href: url }, url)),
        h('h3', {}, 'curl'),
        h('pre', {}, h('code', {}, `curl '${url}'`)),
        h('h3', {}, 'JavaScript (fetch)'),
        h('pre', {}, h('code', {}, `const res = await fetch('${url}', {\n  headers: { Accept: 'application/json' /* , 'X-API-Key': '<your key>' */ },\n});\nconst entities = await res.json();\nconsole.log(entities.length, entities[0]);`)),
      ));
    }
  },
};
export default view;
