import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReport, type ReportFiles } from '../../reports/index.js';
import { tempDir } from '../benchmark/cli-helpers.js';
import { makeReportFixture } from './report-fixture.js';

const CHROMIUM = '/usr/bin/chromium';
const noChromium = !existsSync(CHROMIUM);
const reason = `${CHROMIUM} is not installed (Debian package \`chromium\`; .ci/run installs it as root)`;

/** 1,400 px, the width a reader's window has; the page must not scroll sideways there. */
const VIEWPORT = { width: 1400, height: 1000 };

/**
 * Opens the report written for a tiny benchmark in headless Chromium (offline, no network
 * requests), as a reader would: no console errors, no sideways scrolling at 1,400 px, loaded
 * within 3 s, plots, the 3D view and tables in the DOM, the qualitative panel images decoded,
 * header-click sorting of the per-item table, and screenshots kept in the test's temp folder.
 * The fixture's items have no readable image and its capture no cameras, so its panel rows
 * (reports/panels.ts: worst, median and best item, posed and neutral) show the error maps
 * without the input crop and overlays; they are real rows all the same.
 */
describe.skipIf(noChromium)(`report in a browser${noChromium ? ` (skipped: ${reason})` : ''}`, () => {
  const root = tempDir('report-browser');
  let files: ReportFiles;
  let browser: Browser;
  let page: Page;
  let loadMs = 0;
  let plotsMs = 0;
  const problems: string[] = [];

  beforeAll(async () => {
    const fx = await makeReportFixture(root);
    files = writeReport({ results: Object.values(fx.methods), out: join(root, 'report.html') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: VIEWPORT });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`network request: ${r.url()}`);
    });
    await page.goto('about:blank'); // the browser's own start-up is not the page's
    const started = performance.now();
    await page.goto(pathToFileURL(files.html).href, { waitUntil: 'load' });
    loadMs = performance.now() - started;
    // The plots and the 3D view are drawn after the load event, one at a time.
    await page.waitForFunction("document.body.getAttribute('data-plots-done') === 'true'", undefined, { timeout: 30_000, polling: 50 });
    plotsMs = performance.now() - started;
    console.log(`report: load event after ${loadMs.toFixed(0)} ms, every plot drawn after ${plotsMs.toFixed(0)} ms (${statSync(files.html).size} bytes)`);
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('opens offline without console errors, with the plots and tables in the DOM', async () => {
    expect(problems).toEqual([]);
    expect(await page.locator('#view3d[data-ready]').count()).toBe(1);
    expect(statSync(files.html).size).toBeLessThan(5_000_000);
    // 2 curve plots (neutral, posed), 2 by-rank line charts and 2 by-person bar charts.
    expect(await page.locator('#curves .js-plotly-plot').count()).toBe(2);
    expect(await page.locator('#curves .js-plotly-plot .scatterlayer .trace').count()).toBe(4);
    for (const id of ['rank-posed', 'rank-neutral', 'person-posed', 'person-neutral']) {
      expect(await page.locator(`#chart-${id}.js-plotly-plot`).count(), id).toBe(1);
    }
    // One line per method in a by-rank chart, one bar group per method in a by-person chart.
    expect(await page.locator('#chart-rank-posed .scatterlayer .trace').count()).toBe(2);
    expect(await page.locator('#chart-person-neutral .barlayer .trace').count()).toBe(2);
    for (const id of ['#table2', '#by-person', '#by-rank', '#items-table', '#provenance']) expect(await page.locator(id).count()).toBe(1);
    // The long tables are behind disclosures.
    for (const id of ['#by-person', '#by-rank', '#items-table']) expect(await page.locator(`details ${id}`).count(), id).toBe(1);
    expect(await page.locator('#table2 tbody tr').count()).toBe(2);
    const best = Object.values(files.tables.table2.best);
    expect(best).toHaveLength(8);
    expect(await page.locator('#table2 td.best').count()).toBe(best.reduce((n, methods) => n + methods.length, 0));
    expect(await page.locator('#table2 tbody tr:has(th:text-is("exact")) td.best').count()).toBe(8);
    expect(await page.locator('#items-table tbody tr').count()).toBe(16);
    expect(await page.locator('#table2 tbody th').allTextContents()).toContain('noisy <i>&');
    // plotly shows the name as text, not as markup.
    expect(await page.locator('#chart-rank-posed .legendtext').allTextContents()).toContain('noisy <i>&');
  });

  it('fits a 1,400 px window: no horizontal scrollbar, and no plot title under a mode bar', async () => {
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    // Open every disclosure (the wide tables scroll inside their own container).
    await page.evaluate("document.querySelectorAll('details').forEach(function (d) { d.setAttribute('open', ''); })");
    expect(await page.evaluate('document.documentElement.scrollWidth <= window.innerWidth')).toBe(true);
    // Plot titles are captions outside the plot: no mode bar can overlap them.
    const overlaps = await page.evaluate(`[...document.querySelectorAll('figure.chart')].filter((fig) => {
        const cap = fig.querySelector('figcaption').getBoundingClientRect();
        const el = fig.querySelector('.modebar-container');
        const bar = el && el.getBoundingClientRect();
        return bar && bar.height > 0 && bar.top < cap.bottom && bar.bottom > cap.top && bar.left < cap.right && bar.right > cap.left;
      }).length`);
    expect(overlaps).toBe(0);
  });

  it('shows the qualitative panel rows as decoded images and the 3D view with its mesh', async () => {
    expect(await page.locator('#panels figure img').count()).toBe(6);
    const sizes = (await page.evaluate(
      "[...document.querySelectorAll('#panels figure img')].map((i) => ({ natural: [i.naturalWidth, i.naturalHeight], declared: [Number(i.getAttribute('width')), Number(i.getAttribute('height'))], done: i.complete }))",
    )) as { natural: number[]; declared: number[]; done: boolean }[];
    for (const s of sizes) {
      expect(s.done).toBe(true);
      expect(s.natural[0]).toBeGreaterThan(0); // decoded
      expect(s.natural).toEqual(s.declared);
    }
    expect(await page.locator('#panels figcaption').first().textContent()).toMatch(/^\d{3}\/EXP-\S+, posed \(worst posed L2 of exact\)/);
    await page.locator('#view3d').scrollIntoViewIfNeeded();
    const box = await page.locator('#view3d').boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.height).toBeGreaterThan(300);
    expect(await page.locator('#view3d-pick option').count()).toBe(6);
    expect(await page.locator('#view3d-caption').textContent()).toMatch(/prediction mesh \d+ of \d+ vertices/);
    // The canvas is painted: more than one colour, and dragging rotates (the pixels change).
    const pixels = () => page.evaluate("document.getElementById('view3d').toDataURL()");
    const before = await pixels();
    const distinct = await page.evaluate(`(() => {
      const c = document.getElementById('view3d');
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      const seen = new Set();
      for (let i = 0; i < d.length; i += 4 * 97) seen.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
      return seen.size;
    })()`);
    expect(distinct).toBeGreaterThan(20);
    await page.mouse.move(box!.x + box!.width / 2, box!.y + box!.height / 2);
    await page.mouse.down();
    await page.mouse.move(box!.x + box!.width / 2 + 80, box!.y + box!.height / 2 + 20, { steps: 4 });
    await page.mouse.up();
    await page.waitForTimeout(100);
    expect(await pixels()).not.toBe(before);
    expect(problems).toEqual([]);
  });

  it('sorts the per-item table when a header is clicked (numbers numerically, missing values last)', async () => {
    await page.evaluate("document.querySelectorAll('details').forEach(function (d) { d.setAttribute('open', ''); })");
    const column = async (n: number) => page.$$eval(`#items-table tbody tr td:nth-child(${n})`, (cells) => cells.map((c) => c.getAttribute('data-v') ?? ''));
    await page.click('#items-table th:has-text("L2")');
    const asc = await column(8);
    const values = asc.filter((v) => v !== '').map(Number);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(asc.at(-1)).toBe(''); // the failed item has no L2
    await page.click('#items-table th:has-text("L2")');
    const desc = (await column(8)).filter((v) => v !== '').map(Number);
    expect(desc).toEqual([...values].sort((a, b) => b - a));
    expect(await page.locator('#items-table th.desc').textContent()).toBe('L2');
    await page.click('#items-table th:has-text("Person")');
    const persons = await column(2);
    expect(persons).toEqual([...persons].sort());
    expect(problems).toEqual([]);
  });

  it('saves screenshots of the top of the page and of one panel row', async () => {
    const isPng = (path: string) => {
      const bytes = readFileSync(path);
      return bytes.length > 1000 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    };
    const top = join(root, 'report-top.png');
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: top });
    const row = join(root, 'report-panel-row.png');
    await page.locator('#panels figure').first().screenshot({ path: row });
    const view = join(root, 'report-3d.png');
    await page.locator('#worst').screenshot({ path: view });
    for (const shot of [top, row, view]) expect(isPng(shot), shot).toBe(true);
    expect(statSync(top).size).toBeGreaterThan(10_000);
  });
});
