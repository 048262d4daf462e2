// Live updates over server-sent events (/dejima/v1/events). The browser's EventSource reconnects by
// itself with Last-Event-ID; the server replays what was missed or sends `reset` when it cannot.
import { debug } from './debug';

export interface ChangeEvent { tenant: string; op: 'create' | 'update' | 'delete'; id: string; type: string }
export type LiveStatus = 'live' | 'offline' | 'connecting';

// Changes gathered for this long are handled together; more than BURST of them reload the layers.
const BATCH_MS = 100;
const BURST = 100;

const listeners = new Set<(s: LiveStatus) => void>();
let status: LiveStatus = 'offline';

export function onLiveStatus(f: (s: LiveStatus) => void): () => void {
  listeners.add(f);
  f(status);
  return () => listeners.delete(f);
}

function setStatus(s: LiveStatus) {
  status = s;
  debug.live = s;
  for (const f of listeners) f(s);
}

export function connectLive(types: string[], onChange: (e: ChangeEvent) => void, onReset: () => void): () => void {
  if (typeof EventSource === 'undefined') return () => {};
  const url = `/dejima/v1/events?types=${types.map(encodeURIComponent).join(',')}`;
  const es = new EventSource(url, { withCredentials: true });
  setStatus('connecting');
  es.onopen = () => setStatus('live');
  es.onerror = () => setStatus(es.readyState === EventSource.CLOSED ? 'offline' : 'connecting');
  // Changes are handled in small batches: a connector's run writes thousands of entities at
  // once, and reloading the visible layers then costs less than one request per entity.
  let pending: ChangeEvent[] = [];
  let timer = 0;
  const flush = () => {
    timer = 0;
    const batch = pending;
    pending = [];
    if (batch.length > BURST) {
      debug.resets++;
      onReset();
    } else {
      for (const e of batch) onChange(e);
    }
  };
  es.addEventListener('change', (ev) => {
    try {
      pending.push(JSON.parse((ev as MessageEvent).data) as ChangeEvent);
      debug.events++;
      if (!timer) timer = window.setTimeout(flush, BATCH_MS);
    } catch {
      /* a malformed event is ignored */
    }
  });
  es.addEventListener('reset', () => {
    debug.resets++;
    onReset();
  });
  return () => {
    if (timer) window.clearTimeout(timer);
    es.close();
    setStatus('offline');
  };
}
