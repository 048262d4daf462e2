// Starts the real dejima binary (DEJIMA_BIN) on a free port with a fresh data directory, as the
// Python end-to-end tests do, and gives the client tests small helpers to look at what it holds.
// DEJIMA_LOG=debug (or info) shows the server's log while the tests run.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { once } from 'node:events';

export async function freePort() {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const { port } = s.address();
  await new Promise((r) => s.close(r));
  return port;
}

// The API tests run with access control off, as tests/e2e does; access control has its own tests.
export async function startDejima(extraArgs = []) {
  const bin = process.env.DEJIMA_BIN;
  if (!bin) throw new Error('DEJIMA_BIN must name the dejima server binary');
  const dataDir = mkdtempSync(join(tmpdir(), 'dejima-clients-'));
  const proc = spawn(bin, ['serve', '--port', '0', '--data-dir', dataDir, '--log-level', process.env.DEJIMA_LOG ?? 'warn', '--auth', 'off', ...extraArgs], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr.on('data', (d) => {
    stderr += d;
    if (process.env.DEJIMA_LOG) process.stderr.write(d);
  });
  const port = await new Promise((resolve, reject) => {
    let out = '';
    const onData = (d) => {
      out += d;
      const m = /^listening .*:(\d+)\s*$/m.exec(out);
      if (m) {
        proc.stdout.off('data', onData);
        resolve(Number(m[1]));
      }
    };
    proc.stdout.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`dejima exited (${code}) before listening:\n${stderr}`)));
  });
  proc.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await once(proc, 'exit');
      }
      rmSync(dataDir, { recursive: true, force: true });
      // A sanitizer report (when DEJIMA_BIN is the dev build), a crash or a failed shutdown fails the run.
      if (proc.exitCode !== 0 || /Sanitizer|runtime error/.test(stderr)) {
        throw new Error(`dejima exited with ${proc.exitCode ?? proc.signalCode}:\n${stderr}`);
      }
    },
  };
}

// A plain request to Dejima (or any server): JSON in and out, headers as given.
export async function request(method, url, { headers = {}, body } = {}) {
  const init = { method, headers: { ...headers } };
  if (body !== undefined) {
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
    init.headers['Content-Type'] ??= 'application/json';
  }
  const r = await fetch(url, init);
  const text = await r.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: r.status, headers: r.headers, text, json };
}

// Polls f until it returns a truthy value (a notification or forwarded request arrives on another
// connection); fails after ms.
export async function eventually(what, f, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
