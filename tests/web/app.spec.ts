import { test, expect } from '@playwright/test';
import { base, api, mapReady, shot, apiJson, apiCount, operatorWrite, shownCount, renderedCount } from './helpers';

test.use({ baseURL: process.env.DEJIMA_BASE_URL });

const SHIMABARA = '422037';

async function boundaryOf(code: string) {
  // from the app's origin (the server itself once it serves the app)
  const fc = await (await fetch(base() + '/dejima/v1/map/boundaries')).json();
  const f = fc.features.find((x: any) => x.properties.code === code || code.startsWith(x.properties.N03_007));
  expect(f, `boundary of ${code}`).toBeTruthy();
  return f.geometry;
}

test('1. the map renders the shelters of a chosen municipality', async ({ page }) => {
  await page.goto('/?types=EvacuationSpace,EvacuationShelter');
  await mapReady(page);
  await page.getByLabel('市町村').selectOption(SHIMABARA);
  await expect(page).toHaveURL(/muni=422037/);
  await mapReady(page);
  const geometry = await boundaryOf(SHIMABARA);
  const expectedSpace = await apiCount('EvacuationSpace', { geometry });
  const expectedShelter = await apiCount('EvacuationShelter', { geometry });
  expect(expectedSpace).toBeGreaterThan(0);
  expect(expectedShelter).toBeGreaterThan(0);
  await expect.poll(() => shownCount(page, 'EvacuationSpace')).toBe(expectedSpace);
  expect(await shownCount(page, 'EvacuationShelter')).toBe(expectedShelter);
  // the map draws them all (the view is zoomed to the municipality)
  await expect.poll(() => renderedCount(page, 'EvacuationSpace')).toBe(expectedSpace);
  await shot(page, 'map-shimabara');
});

test('2. a popup shows the attributes of a clicked entity under Japanese labels', async ({ page }) => {
  const [e] = await apiJson('/ngsi-ld/v1/entities?type=EvacuationSpace&options=keyValues&limit=1&q=typeOfDisasterTsunami==true');
  const [lng, lat] = e.location.coordinates;
  await page.goto(`/?types=EvacuationSpace&c=${lng},${lat},17`);
  await mapReady(page);
  const box = (await page.getByTestId('map').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  const popup = page.getByTestId('popup');
  await expect(popup).toBeVisible();
  const id = await popup.getAttribute('data-entity-id');
  const full = await apiJson(`/ngsi-ld/v1/entities/${encodeURIComponent(id!)}?options=keyValues`);
  const row = (attr: string) => popup.locator(`tr[data-attr="${attr}"]`);
  await expect(row('name').locator('th')).toHaveText('名称');
  await expect(row('name').locator('td')).toHaveText(full.name);
  await expect(row('fullAddress').locator('th')).toHaveText('所在地');
  await expect(row('fullAddress').locator('td')).toHaveText(full.fullAddress);
  await expect(row('typeOfDisasterTsunami').locator('th')).toHaveText('災害種別（津波）');
  await expect(row('typeOfDisasterTsunami').locator('td')).toHaveText(full.typeOfDisasterTsunami ? '○' : '—');
  await expect(row('typeOfDisasterLandslide').locator('th')).toHaveText('災害種別（崖崩れ、土石流及び地滑り）');
  await expect(page.getByTestId('popup-api-link')).toHaveAttribute('href', `/ngsi-ld/v1/entities/${encodeURIComponent(id!)}?options=keyValues`);
  await shot(page, 'map-popup');
});

test('3. a filter changes what is shown', async ({ page }) => {
  await page.goto('/?types=EvacuationSpace');
  await mapReady(page);
  const all = await apiCount('EvacuationSpace');
  await expect.poll(() => shownCount(page, 'EvacuationSpace')).toBe(all);
  // text search (client-side substring over name and fullAddress)
  await page.getByLabel('名称・住所で検索').fill('公園');
  const parks = await apiCount('EvacuationSpace', { q: 'name~=".*公園.*"|fullAddress~=".*公園.*"' });
  await expect.poll(() => shownCount(page, 'EvacuationSpace')).toBe(parks);
  expect(parks).toBeLessThan(all);
  await page.getByLabel('名称・住所で検索').fill('');
  // disaster filter
  await page.getByLabel('津波').check();
  const tsunami = await apiCount('EvacuationSpace', { q: 'typeOfDisasterTsunami==true' });
  await expect.poll(() => shownCount(page, 'EvacuationSpace')).toBe(tsunami);
  await expect(page).toHaveURL(/hazard=tsunami/);
  // NGSI-LD q (server side)
  await page.getByLabel('津波').uncheck();
  await page.getByTestId('filter-q').fill('typeOfDisasterEruption==true');
  await page.getByTestId('filter-apply').click();
  const eruption = await apiCount('EvacuationSpace', { q: 'typeOfDisasterEruption==true' });
  await expect.poll(() => shownCount(page, 'EvacuationSpace')).toBe(eruption);
  // a type switched off disappears from the map
  await page.getByTestId('type-EvacuationSpace').uncheck();
  await expect.poll(() => page.evaluate(() => (window as any).__dejima.map.getLayoutProperty('pt-EvacuationSpace', 'visibility'))).toBe('none');
});

test('4. a chart draws the AMeDAS history', async ({ page }) => {
  const [st] = await apiJson('/ngsi-ld/v1/entities?type=WeatherObserved&options=keyValues&limit=1');
  const now = Date.now();
  const inst = (k: number, v: number) => ({ type: 'Property', value: v, observedAt: new Date(now - k * 3600e3).toISOString() });
  const r = await operatorWrite('POST', `/ngsi-ld/v1/temporal/entities/${encodeURIComponent(st.id)}/attrs`, {
    temperature: [inst(5, 10.5), inst(4, 11.2), inst(3, 12.8), inst(2, 12.1), inst(1, 11.4)],
    precipitation: [inst(5, 0), inst(4, 1.5), inst(3, 3), inst(2, 0.5), inst(1, 0)],
    windSpeed: [inst(5, 2.1), inst(4, 3.3), inst(3, 4.2), inst(2, 3.9), inst(1, 2.5)],
  });
  expect(r.status).toBeLessThan(300);
  const [lng, lat] = st.location.coordinates;
  await page.goto(`/?types=WeatherObserved&c=${lng},${lat},12`);
  await mapReady(page);
  const box = (await page.getByTestId('map').boundingBox())!;
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await expect(page.getByTestId('chart-panel')).toBeVisible();
  await expect.poll(() => page.evaluate(() => (window as any).__dejima.chartPoints)).toBeGreaterThanOrEqual(5);
  await expect(page.getByTestId('chart').locator('canvas')).toBeVisible();
  await shot(page, 'chart-24h');
  await page.getByTestId('range-7d').click();
  await expect(page.getByTestId('chart-status')).toHaveText(/1時間ごとの平均/);
  await expect.poll(() => page.evaluate(() => (window as any).__dejima.chartPoints)).toBeGreaterThanOrEqual(3);
  await shot(page, 'chart-7d');
});

test('5. a PATCH through the API shows up on an open page within a second', async ({ page }) => {
  const [e] = await apiJson('/ngsi-ld/v1/entities?type=EvacuationSpace&options=keyValues&limit=1&offset=5');
  const marker = `LIVE${Date.now()}`;
  await page.goto(`/?types=EvacuationSpace&text=${marker}`);
  await mapReady(page);
  await expect(page.getByTestId('live-indicator')).toHaveClass(/is-live/);
  expect(await shownCount(page, 'EvacuationSpace')).toBe(0);
  const t0 = Date.now();
  const r = await operatorWrite('PATCH', `/ngsi-ld/v1/entities/${encodeURIComponent(e.id)}/attrs`, { name: { type: 'Property', value: `${e.name} ${marker}` } });
  expect(r.status).toBe(204);
  await expect(page.getByTestId('count-EvacuationSpace')).toHaveText('(1)', { timeout: 1000 });
  console.log(`live update shown ${Date.now() - t0} ms after the PATCH was sent`);
});

test('6. a page reload keeps the view', async ({ page }) => {
  await page.goto(`/?muni=${SHIMABARA}&types=EvacuationSpace,WeatherObserved&hazard=tsunami`);
  await mapReady(page);
  await page.getByLabel('名称・住所で検索').fill('島原');
  await expect(page).toHaveURL(/text=%E5%B3%B6%E5%8E%9F|text=島原/);
  const before = await shownCount(page, 'EvacuationSpace');
  const url = page.url();
  expect(url).toMatch(/c=[\d.]+,[\d.]+,[\d.]+/);
  await page.reload();
  await mapReady(page);
  expect(page.url()).toBe(url);
  await expect(page.getByLabel('市町村')).toHaveValue(SHIMABARA);
  await expect(page.getByLabel('名称・住所で検索')).toHaveValue('島原');
  await expect(page.getByTestId('hazard-tsunami')).toBeChecked();
  await expect(page.getByTestId('type-EvacuationShelter')).not.toBeChecked();
  await expect(page.getByTestId('type-WeatherObserved')).toBeChecked();
  expect(await shownCount(page, 'EvacuationSpace')).toBe(before);
  const c = new URL(url).searchParams.get('c')!.split(',').map(Number);
  const center = await page.evaluate(() => {
    const m = (window as any).__dejima.map;
    return [m.getCenter().lng, m.getCenter().lat, m.getZoom()];
  });
  expect(Math.abs(center[0] - c[0])).toBeLessThan(1e-3);
  expect(Math.abs(center[1] - c[1])).toBeLessThan(1e-3);
  expect(Math.abs(center[2] - c[2])).toBeLessThan(0.05);
});

test('7. the English switch works', async ({ page }) => {
  await page.goto('/warnings');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('発表中の警報・注意報');
  await page.getByTestId('lang-toggle').click();
  await expect(page).toHaveURL(/lang=en/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Warnings and advisories in force');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('link', { name: 'Map' }).click();
  await expect(page).toHaveURL(/\/\?lang=en/);
  await mapReady(page);
  await expect(page.getByLabel('Municipality')).toBeVisible();
  await expect(page.getByText('Emergency evacuation sites').first()).toBeVisible();
  await expect(page.getByLabel('Municipality').locator('option', { hasText: /^Shimabara/ })).toHaveCount(1);
  await shot(page, 'map-english');
  await page.getByTestId('lang-toggle').click();
  await expect(page).not.toHaveURL(/lang=en/);
  await expect(page.getByLabel('市町村')).toBeVisible();
});

test.describe('8. phone', () => {
  test.use({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  test('a phone-sized viewport is usable', async ({ page }) => {
    await page.goto('/?types=EvacuationSpace');
    await mapReady(page);
    const box = (await page.getByTestId('map').boundingBox())!;
    expect(box.width).toBeGreaterThan(350);
    expect(box.height).toBeGreaterThan(400);
    await expect(page.getByLabel('市町村')).toBeHidden();
    await shot(page, 'phone-map');
    await page.getByTestId('filters-toggle').tap();
    await expect(page.getByLabel('市町村')).toBeVisible();
    await page.getByLabel('市町村').selectOption(SHIMABARA);
    await expect(page).toHaveURL(/muni=422037/);
    await shot(page, 'phone-filters');
    await page.keyboard.press('Escape');
    await expect(page.getByLabel('市町村')).toBeHidden();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});

function luminance(hex: string): number {
  const c = hex.match(/\d+/g)!.slice(0, 3).map(Number).map((v) => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
}
function contrast(a: string, b: string): number {
  const [x, y] = [luminance(a), luminance(b)].sort((p, q) => q - p);
  return (x + 0.05) / (y + 0.05);
}

test('9. accessibility basics: labels, keyboard filters, warning colour contrast', async ({ page }) => {
  // warnings with levels 2–5 in four municipalities (areaCode: 7-digit JMA code)
  const areas: [string, number][] = [['4220300', 3], ['4220100', 2], ['4220400', 4], ['4221100', 5]];
  for (const [area, level] of areas) {
    const r = await operatorWrite('POST', '/ngsi-ld/v1/entityOperations/upsert', [{
      id: `urn:ngsi-ld:WeatherWarning:test-${area}`, type: 'WeatherWarning',
      areaCode: { type: 'Property', value: area }, warningLevel: { type: 'Property', value: level },
      alerts: { type: 'Property', value: [{ name: '大雨警報', code: '03', status: '発表' }] },
      dateIssued: { type: 'Property', value: new Date(Date.now() - level * 60e3).toISOString() },
    }]);
    expect(r.status).toBeLessThan(300);
  }
  await page.goto('/');
  await mapReady(page);
  // every form control of the filters has an accessible name
  const unlabeled = await page.locator('#filters').evaluate((root) =>
    [...root.querySelectorAll('input, select, button')].filter((el) => {
      const id = el.id;
      const hasFor = id && root.ownerDocument.querySelector(`label[for="${id}"]`);
      return !hasFor && !el.getAttribute('aria-label') && !(el.textContent ?? '').trim() && !el.closest('label');
    }).map((el) => el.outerHTML));
  expect(unlabeled).toEqual([]);
  // keyboard: from the municipality select, Tab reaches the type checkboxes; Space toggles one
  await page.getByLabel('市町村').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('type-EvacuationSpace')).toBeFocused();
  await page.keyboard.press('Space');
  await expect(page.getByTestId('type-EvacuationSpace')).not.toBeChecked();
  await expect(page).toHaveURL(/types=EvacuationShelter/);
  // the municipality polygons take the warning colour (live or on load)
  await expect.poll(() => page.evaluate(() => (window as any).__dejima.warningLevels?.['42203'])).toBe(3);
  await shot(page, 'map-warnings');
  // the warnings page: newest first, badges with AA contrast
  await page.getByRole('link', { name: '警報・注意報' }).click();
  const items = page.getByTestId('warning-item');
  await expect(items).toHaveCount(4);
  await expect(items.first()).toHaveAttribute('data-level', '2');
  await shot(page, 'warnings');
  const pairs = await page.getByTestId('warning-badge').evaluateAll((els) => els.map((el) => [getComputedStyle(el).color, getComputedStyle(el).backgroundColor]));
  expect(pairs.length).toBe(4);
  for (const [fg, bg] of pairs) expect(contrast(fg, bg), `${fg} on ${bg}`).toBeGreaterThanOrEqual(4.5);
});

test('10. sign-in as operator, then the data sources with run-now', async ({ page }) => {
  await page.goto('/sources');
  await expect(page.getByTestId('signin-prompt')).toBeVisible();
  await page.getByTestId('signin-prompt').getByRole('link').click();
  await page.getByLabel('ユーザー名').fill('operator');
  await page.getByLabel('パスワード').fill(process.env.DEJIMA_OPERATOR_PASSWORD!);
  await page.getByTestId('login-submit').click();
  await expect(page).toHaveURL(/\/sources/);
  await expect(page.getByTestId('user-name')).toContainText('operator'.length ? /operator|Platform operator/ : '');
  const connectors = page.getByTestId('connector');
  await expect(connectors.first()).toBeVisible();
  const list = await apiJson('/dejima/v1/connectors', { headers: { 'X-API-Key': process.env.DEJIMA_OPERATOR_KEY! } });
  await expect(connectors).toHaveCount(list.length);
  const amedas = page.locator('[data-testid=connector][data-name="demo-amedas-nagasaki"]');
  await amedas.getByTestId('run-now').click();
  await expect(amedas.getByRole('status')).toHaveText('実行を開始しました');
  await shot(page, 'sources');
  await page.getByRole('link', { name: '開発者向け' }).click();
  await expect(page.getByTestId('dev-type').first()).toBeVisible();
  await shot(page, 'developers');
  await page.getByTestId('logout').click();
  await expect(page.getByTestId('user-box')).toContainText('ログイン');
  void base;
  void api;
});
