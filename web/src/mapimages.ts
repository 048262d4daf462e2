// Text drawn into images on demand (styleimagemissing), so cluster counts and station labels
// render with the browser's own fonts: no glyph server, nothing fetched from the internet.
import type { Map as MLMap } from 'maplibre-gl';

const RATIO = 2;
const FONT = '"Noto Sans CJK JP", "Hiragino Sans", "Yu Gothic", "Meiryo", system-ui, sans-serif';

function draw(w: number, h: number, paint: (c: CanvasRenderingContext2D) => void): { width: number; height: number; data: Uint8ClampedArray } {
  const cv = document.createElement('canvas');
  cv.width = w * RATIO;
  cv.height = h * RATIO;
  const c = cv.getContext('2d')!;
  c.scale(RATIO, RATIO);
  paint(c);
  const img = c.getImageData(0, 0, cv.width, cv.height);
  return { width: cv.width, height: cv.height, data: img.data };
}

function countImage(text: string) {
  const w = Math.max(18, 8 * text.length + 6);
  return draw(w, 18, (c) => {
    c.font = `bold 12px ${FONT}`;
    c.textAlign = 'center';
    c.textBaseline = 'middle';
    c.lineWidth = 3;
    c.strokeStyle = 'rgba(0,0,0,0.55)';
    c.strokeText(text, w / 2, 9.5);
    c.fillStyle = '#ffffff';
    c.fillText(text, w / 2, 9.5);
  });
}

// wx|<temperature>|<precipitation>
function stationImage(id: string) {
  const [, temp, prec] = id.split('|');
  const text = `${temp === '' ? '—' : temp + '℃'} ${prec === '' ? '' : prec + 'mm'}`.trim();
  const probe = document.createElement('canvas').getContext('2d')!;
  probe.font = `bold 12px ${FONT}`;
  const w = Math.ceil(probe.measureText(text).width) + 10;
  return draw(w, 18, (c) => {
    c.fillStyle = 'rgba(255,255,255,0.92)';
    c.strokeStyle = '#7a4a00';
    c.lineWidth = 1;
    c.beginPath();
    c.roundRect(0.5, 0.5, w - 1, 17, 4);
    c.fill();
    c.stroke();
    c.font = `bold 12px ${FONT}`;
    c.textBaseline = 'middle';
    c.fillStyle = '#1a1a1a';
    c.fillText(text, 5, 9.5);
  });
}

export const imageStats = { counts: 0, stations: 0 };

export function installTextImages(map: MLMap): void {
  map.setMissingStyleImageResolver((id: string) => {
    if (map.hasImage(id)) return;
    if (id.startsWith('cnt-')) {
      map.addImage(id, countImage(id.slice(4)), { pixelRatio: RATIO });
      imageStats.counts++;
    } else if (id.startsWith('wx|')) {
      map.addImage(id, stationImage(id), { pixelRatio: RATIO });
      imageStats.stations++;
    }
  });
}
