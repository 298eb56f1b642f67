import { existsSync, statSync } from 'node:fs';
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

/**
 * Opens the report written for a tiny benchmark in headless Chromium (offline, no network
 * requests), as a reader would: no console errors, plots and tables in the DOM, header-click
 * sorting of the per-item table, and a screenshot kept in the test's temp folder.
 */
describe.skipIf(noChromium)(`report in a browser${noChromium ? ` (skipped: ${reason})` : ''}`, () => {
  const root = tempDir('report-browser');
  let files: ReportFiles;
  let browser: Browser;
  let page: Page;
  const problems: string[] = [];

  beforeAll(async () => {
    const fx = await makeReportFixture(root);
    files = writeReport({ results: Object.values(fx.methods), out: join(root, 'report.html') });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
    page.on('request', (r) => {
      if (!r.url().startsWith('file:') && !r.url().startsWith('data:') && !r.url().startsWith('blob:')) problems.push(`network request: ${r.url()}`);
    });
    await page.goto(pathToFileURL(files.html).href, { waitUntil: 'load' });
    await page.waitForFunction("document.querySelectorAll('#worst .js-plotly-plot canvas').length > 0", undefined, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('opens offline without console errors, with the plots and tables in the DOM', async () => {
    expect(problems).toEqual([]);
    // 2 curve plots (neutral, posed) + 3 worst items per method × 2 methods.
    expect(await page.locator('#curves .js-plotly-plot').count()).toBe(2);
    expect(await page.locator('#worst .js-plotly-plot').count()).toBe(6);
    expect(await page.locator('#curves .js-plotly-plot .scatterlayer .trace').count()).toBe(4);
    for (const id of ['#table2', '#by-person', '#by-rank', '#items-table', '#provenance']) expect(await page.locator(id).count()).toBe(1);
    expect(await page.locator('#table2 tbody tr').count()).toBe(2);
    // One marked cell per best method and column (`exact` in every column, ties marked too).
    const best = Object.values(files.tables.table2.best);
    expect(best).toHaveLength(8);
    expect(await page.locator('#table2 td.best').count()).toBe(best.reduce((n, methods) => n + methods.length, 0));
    expect(await page.locator('#table2 tbody tr:has(th:text-is("exact")) td.best').count()).toBe(8);
    expect(await page.locator('#items-table tbody tr').count()).toBe(16);
    expect(await page.locator('#table2 tbody th').allTextContents()).toContain('noisy <i>&');
  });

  it('sorts the per-item table when a header is clicked (numbers numerically, missing values last)', async () => {
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

  it('saves a screenshot of the page', async () => {
    const shot = join(root, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(statSync(shot).size).toBeGreaterThan(10_000);
  });
});

