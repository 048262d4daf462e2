// A stand-in front for server binaries that do not serve the app yet: serves web/dist (index.html for
// any non-API path) and, only where the server answers 404, the map endpoints of the contract
// (boundaries from the shared N03 file joined with the tenant registry; config {"style": null}).
// Everything else, /dejima/v1/events included, is proxied to the real server unchanged.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync, existsSync, statSync } from 'node:fs';
import { join, extname, normalize } from 'node:path';

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript', '.css': 'text/css', '.json': 'application/json', '.png': 'image/png', '.svg': 'image/svg+xml' };

export async function startShim(o: { upstream: string; distDir: string; sharedData: string }): Promise<{ url: string; stop(): Promise<void> }> {
  const up = new URL(o.upstream);
  const boundaries = async (): Promise<string> => {
    const fc = JSON.parse(readFileSync(join(o.sharedData, 'boundaries/N03-21_42_210101.json'), 'utf8'));
    const tenants = (await (await fetch(`${o.upstream}/dejima/v1/tenants`)).json()) as { name: string; nameJa: string; nameEn: string; code: string }[];
    for (const f of fc.features) {
      const t = tenants.find((x) => x.code.startsWith(f.properties.N03_007));
      if (t) Object.assign(f.properties, { code: t.code, tenant: t.name, nameJa: t.nameJa, nameEn: t.nameEn });
    }
    return JSON.stringify(fc);
  };
  const fallback: Record<string, () => Promise<string>> = {
    '/dejima/v1/map/boundaries': boundaries,
    '/dejima/v1/map/config': async () => '{"style":null}',
  };
  const proxy = (req: IncomingMessage, res: ServerResponse, body: Buffer) => {
    const pr = request({ host: up.hostname, port: up.port, method: req.method, path: req.url, headers: req.headers }, async (pres) => {
      const path = (req.url ?? '').split('?')[0];
      if (pres.statusCode === 404 && fallback[path] && req.method === 'GET') {
        pres.resume();
        const text = await fallback[path]();
        res.writeHead(200, { 'Content-Type': 'application/json' });
        res.end(text);
        return;
      }
      res.writeHead(pres.statusCode ?? 502, pres.headers);
      pres.pipe(res);
    });
    pr.on('error', () => {
      res.writeHead(502);
      res.end();
    });
    pr.end(body);
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent((req.url ?? '/').split('?')[0]);
    if (path.startsWith('/ngsi-ld/') || path.startsWith('/dejima/') || path === '/health') {
      const chunks: Buffer[] = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => proxy(req, res, Buffer.concat(chunks)));
      return;
    }
    let file = join(o.distDir, normalize(path).replace(/^(\.\.[/\\])+/, ''));
    if (!existsSync(file) || statSync(file).isDirectory()) file = join(o.distDir, 'index.html');
    res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}
