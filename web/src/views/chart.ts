// An AMeDAS station's history from the temporal API: raw values for 24 h, hourly (7 d) or daily
// (30 d) aggregates (avg) otherwise.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { h } from '../dom';
import { t, currentLang } from '../i18n';
import { getJson, type Entity } from '../api';
import { debug } from '../debug';

const ATTRS = ['temperature', 'precipitation', 'windSpeed'] as const;
const COLORS: Record<string, string> = { temperature: '#d84315', precipitation: '#1565c0', windSpeed: '#2e7d32' };
type Range = '24h' | '7d' | '30d';
const SPAN: Record<Range, number> = { '24h': 864e5, '7d': 7 * 864e5, '30d': 30 * 864e5 };

let current: uPlot | null = null;

export async function loadSeries(id: string, range: Range): Promise<{ xs: number[]; ys: Record<string, (number | null)[]> }> {
  const since = new Date(Date.now() - SPAN[range]).toISOString();
  const p = new URLSearchParams({ attrs: ATTRS.join(','), timerel: 'after', timeAt: since });
  if (range === '24h') p.set('options', 'temporalValues');
  else {
    p.set('options', 'aggregatedValues');
    p.set('aggrMethods', 'avg,max');
    p.set('aggrPeriodDuration', range === '7d' ? 'PT1H' : 'P1D');
  }
  const doc = await getJson<Record<string, any>>(`/ngsi-ld/v1/temporal/entities/${encodeURIComponent(id)}?${p}`);
  const points = new Map<number, Record<string, number>>();
  for (const a of ATTRS) {
    const attr = doc[a];
    if (!attr) continue;
    const list: any[] = range === '24h' ? attr.values ?? [] : attr.avg ?? [];
    for (const item of list) {
      const [v, at] = item as [number, string];
      const x = Date.parse(at) / 1000;
      if (!Number.isFinite(x) || typeof v !== 'number') continue;
      const row = points.get(x) ?? {};
      row[a] = v;
      points.set(x, row);
    }
  }
  const xs = [...points.keys()].sort((a, b) => a - b);
  const ys: Record<string, (number | null)[]> = {};
  for (const a of ATTRS) ys[a] = xs.map((x) => points.get(x)![a] ?? null);
  return { xs, ys };
}

export function openStationChart(panel: HTMLElement, e: Entity, onClose: () => void): void {
  const s = t();
  const lang = currentLang();
  const labels: Record<string, string> = lang === 'en'
    ? { temperature: 'Temperature (°C)', precipitation: 'Precipitation (mm)', windSpeed: 'Wind speed (m/s)' }
    : { temperature: '気温 (℃)', precipitation: '降水量 (mm)', windSpeed: '風速 (m/s)' };
  let range: Range = '24h';
  const plotBox = h('div', { class: 'plot', 'data-testid': 'chart' });
  const note = h('p', { class: 'status', role: 'status', 'data-testid': 'chart-status' });
  const buttons = (['24h', '7d', '30d'] as Range[]).map((r) => {
    const b = h('button', { type: 'button', 'aria-pressed': String(r === range), 'data-testid': `range-${r}` }, r === '24h' ? s.range24h : r === '7d' ? s.range7d : s.range30d);
    b.addEventListener('click', () => {
      range = r;
      for (const x of buttons) x.setAttribute('aria-pressed', String(x === b));
      void draw();
    });
    return b;
  });
  const close = h('button', { type: 'button', class: 'close', 'aria-label': s.close }, '×');
  close.addEventListener('click', () => {
    current?.destroy();
    current = null;
    onClose();
  });
  panel.replaceChildren(
    h('div', { class: 'chart-head' }, h('h2', {}, `${s.chartTitle}: ${String(e.name ?? e.id)}`), close),
    h('div', { class: 'range', role: 'group', 'aria-label': 'range' }, ...buttons),
    note,
    plotBox,
  );
  const draw = async () => {
    note.textContent = s.loading;
    let data;
    try {
      data = await loadSeries(e.id, range);
    } catch (err) {
      note.textContent = String(err);
      return;
    }
    current?.destroy();
    current = null;
    plotBox.replaceChildren();
    debug.chartPoints = data.xs.length;
    if (!data.xs.length) {
      note.textContent = s.noData;
      return;
    }
    note.textContent = range === '24h' ? '' : lang === 'en' ? `Averages per ${range === '7d' ? 'hour' : 'day'}` : `${range === '7d' ? '1時間' : '1日'}ごとの平均`;
    const width = Math.max(260, plotBox.clientWidth || panel.clientWidth - 24);
    current = new uPlot(
      {
        width,
        height: 220,
        tzDate: (ts) => uPlot.tzDate(new Date(ts * 1e3), 'Asia/Tokyo'),
        series: [
          {},
          { label: labels.temperature, stroke: COLORS.temperature, width: 2, scale: 'c', spanGaps: true },
          { label: labels.precipitation, stroke: COLORS.precipitation, fill: 'rgba(21,101,192,0.2)', width: 1, scale: 'mm', spanGaps: true, paths: uPlot.paths.bars!({ size: [0.6, 20] }) },
          { label: labels.windSpeed, stroke: COLORS.windSpeed, width: 2, scale: 'ms', spanGaps: true },
        ],
        axes: [{}, { scale: 'c', label: '℃' }, { scale: 'mm', side: 1, label: 'mm', grid: { show: false } }],
        scales: { x: { time: true } },
      },
      [data.xs, data.ys.temperature, data.ys.precipitation, data.ys.windSpeed],
      plotBox,
    );
  };
  void draw();
}
