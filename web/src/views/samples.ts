// How to call a dataset's API, as code to copy: the NGSI-LD query, the CSV download and CKAN's
// datastore_search, each in curl, JavaScript (fetch) and Python (requests).
import { h } from '../dom';
import { t } from '../i18n';
import { fileUrl, type Dataset } from '../catalog';

interface Call { label: string; url: string; headers: Record<string, string> }

function calls(d: Dataset, origin: string): Call[] {
  const auth: Record<string, string> = d.public ? {} : { 'X-API-Key': '<your key>' };
  const tenant: Record<string, string> = d.tenant === 'default' ? {} : { 'NGSILD-Tenant': d.tenant };
  const query = new URLSearchParams({ type: d.type, options: 'keyValues', limit: '100' });
  const ds = new URLSearchParams({ resource_id: `${d.name}-csv`, limit: '100' });
  return [
    { label: 'NGSI-LD', url: `${origin}/ngsi-ld/v1/entities?${query}`, headers: { Accept: 'application/json', ...tenant, ...auth } },
    { label: 'CSV', url: origin + fileUrl(d, 'data.csv'), headers: auth },
    { label: 'CKAN datastore_search', url: `${origin}/api/3/action/datastore_search?${ds}`, headers: auth },
  ];
}

function curl(c: Call): string {
  const hs = Object.entries(c.headers).map(([k, v]) => ` -H '${k}: ${v}'`).join('');
  return `curl${hs} '${c.url}'${c.label === 'CSV' ? ' -o data.csv' : ''}`;
}

function javascript(c: Call): string {
  const hs = JSON.stringify(c.headers);
  if (c.label === 'CSV') return `const res = await fetch('${c.url}', { headers: ${hs} });\nconst text = await res.text(); // UTF-8 with a BOM\nconsole.log(text.split('\\n').length - 2, 'rows');`;
  const read = c.label === 'NGSI-LD' ? 'const entities = await res.json();\nconsole.log(entities.length, entities[0]);' : 'const { result } = await res.json();\nconsole.log(result.total, result.records[0]);';
  return `const res = await fetch('${c.url}', { headers: ${hs} });\n${read}`;
}

function python(c: Call): string {
  const hs = JSON.stringify(c.headers);
  if (c.label === 'CSV') return `import csv, io, requests\n\nr = requests.get('${c.url}', headers=${hs})\nrows = list(csv.DictReader(io.StringIO(r.content.decode('utf-8-sig'))))\nprint(len(rows), rows[0])`;
  const read = c.label === 'NGSI-LD' ? 'entities = r.json()\nprint(len(entities), entities[0])' : 'result = r.json()["result"]\nprint(result["total"], result["records"][0])';
  return `import requests\n\nr = requests.get('${c.url}', headers=${hs})\n${read}`;
}

export function codeSamples(d: Dataset, origin: string): HTMLElement {
  const s = t();
  const box = h('section', { class: 'samples', 'data-testid': 'dataset-samples' }, h('h2', {}, s.howToCall));
  if (!d.public) box.append(h('p', {}, s.apiKeyHowTo));
  for (const c of calls(d, origin))
    box.append(h('details', { open: c.label === 'NGSI-LD' }, h('summary', {}, c.label),
      ...([['curl', curl(c)], ['JavaScript', javascript(c)], ['Python', python(c)]] as const).flatMap(([lang, code]) => [
        h('h3', {}, lang), h('pre', {}, h('code', { 'data-lang': lang, 'data-call': c.label }, code))])));
  return box;
}
