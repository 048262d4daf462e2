// A small debug object for tests and benchmarks: window.__dejima.
export interface DebugInfo {
  map: unknown;
  ready: boolean;
  loaded: Record<string, number>;
  shown: Record<string, number>;
  live: string;
  events: number;
  resets: number;
  lastUpdate: { id: string; at: number } | null;
  chartPoints: number;
  idleCount: number;
}

export const debug: DebugInfo = {
  map: null,
  ready: false,
  loaded: {},
  shown: {},
  live: 'offline',
  events: 0,
  resets: 0,
  lastUpdate: null,
  chartPoints: 0,
  idleCount: 0,
};
(window as unknown as { __dejima: DebugInfo }).__dejima = debug;
