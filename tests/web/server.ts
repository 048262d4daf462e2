// Starts the real Dejima server for browser tests and benchmarks: fresh data dir, free port,
// demo connectors; waits until /health answers and the demo data has loaded.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createServer } from 'node:net';

export const WEB_DIR = resolve(__dirname, '../../web');
export const OPERATOR_PASSWORD = 'operator-pass-123';

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

export interface Running { baseUrl: string; apiUrl: string; operatorKey: string; dataDir: string; stop(): Promise<void> }

async function waitFor(what: string, f: () => Promise<boolean>, ms: number, proc: ChildProcess): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (proc.exitCode !== null) throw new Error(`dejima exited (${proc.exitCode}) while waiting for ${what}`);
    try {
      if (await f()) return;
    } catch {
      /* not yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function count(api: string, type: string): Promise<number> {
  const r = await fetch(`${api}/ngsi-ld/v1/entities?type=${type}&count=true&limit=1`);
  return Number(r.headers.get('NGSILD-Results-Count') ?? '0');
}

export async function startServer(opts: { auth?: 'on' | 'off'; demo?: boolean; log?: boolean } = {}): Promise<Running> {
  const bin = process.env.DEJIMA_BIN;
  if (!bin) throw new Error('DEJIMA_BIN must name the dejima server binary');
  const shared = resolve(process.env.DEJIMA_SHARED_DATA ?? join(WEB_DIR, '../../shared/data'));
  const dataDir = mkdtempSync(join(tmpdir(), 'dejima-web-'));
  const port = await freePort();
  const args = ['serve', '--data-dir', dataDir, '--port', String(port), '--bootstrap-operator-password', OPERATOR_PASSWORD, '--log-level', 'warn'];
  if (opts.demo !== false) args.push('--demo', '--demo-data', shared);
  if (opts.auth === 'off') args.push('--auth', 'off');
  args.push('--web-root', join(WEB_DIR, 'dist'));
  const proc = spawn(bin, args, { stdio: ['ignore', opts.log ? 'inherit' : 'ignore', opts.log ? 'inherit' : 'ignore'] });
  const apiUrl = `http://127.0.0.1:${port}`;
  await waitFor('/health', async () => (await fetch(`${apiUrl}/health`)).ok, 60_000, proc);
  if (opts.demo !== false) {
    // The demo connectors run one at a time, Shimabara's tourist sites last.
    await waitFor('the demo data', async () => (await count(apiUrl, 'TouristAttraction')) > 0, 180_000, proc);
  }
  const keyFile = join(dataDir, 'operator-key');
  const operatorKey = existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : '';
  return {
    baseUrl: apiUrl,
    apiUrl,
    operatorKey,
    dataDir,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise<void>((r) => {
          const t = setTimeout(() => {
            proc.kill('SIGKILL');
            r();
          }, 15_000);
          proc.once('exit', () => {
            clearTimeout(t);
            r();
          });
        });
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
