import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderSweepReport } from '@lightcode/report';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from './run.js';

/** Debian's Chromium: `chromium` on the PATH, else where Debian installs it; undefined when there is none. */
function findChromium(): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  return [...dirs.map((d) => path.join(d, 'chromium')), '/usr/bin/chromium'].find((f) => {
    try {
      fs.accessSync(f, fs.constants.X_OK);
      return fs.statSync(f).isFile();
    } catch {
      return false;
    }
  });
}

const CHROMIUM = findChromium();
/** In CI the browser tests are required; elsewhere they are skipped when no Chromium is installed. */
const IN_CI = !!process.env.CI && !['0', 'false'].includes(process.env.CI.toLowerCase());
const SKIP = CHROMIUM === undefined && !IN_CI;
if (SKIP) {
  process.stderr.write(
    "report-browser: HTML report browser tests skipped: no Chromium found; to run them install Debian's chromium (sudo apt install chromium); with CI=true they are required\n",
  );
}
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ARTIFACTS = path.join(ROOT, 'test-artifacts');

/** One report of each kind, and the charts it must draw (kind of chart -> minimum count). */
const REPORTS: [string, string[], Record<string, number>][] = [
  ['compile', ['compile', '--model', 'gpt2', '--seq-len', '128', '--system', 'lightcode-2025'], { gantt: 1, bar: 2 }],
  ['sweep', ['sweep', '--model', 'gpt2', '--seq-len', '64,128', '--systems', 'lightcode-2025,cpu', '--workers', '1'], { xy: 2 }],
  ['pareto', ['pareto', '--model', 'gpt2', '--seq-len', '128', '--system', 'lightcode-2025', '--points', '3'], { xy: 1 }],
  [
    'crossover',
    ['crossover', '--model', 'gpt2', '--systems', 'cpu,lightcode-2025', '--metric', 'energy', '--range', '16:256', '--scan', '6'],
    { xy: 1 },
  ],
  ['reproduce', ['reproduce', '--quick'], { xy: 4 }],
];

describe.skipIf(SKIP)('HTML reports in a real browser (Debian chromium through playwright-core)', () => {
  let browser: Browser;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'lightcode-report-'));

  beforeAll(async () => {
    if (CHROMIUM === undefined)
      throw new Error("no Chromium found and CI is set, so the browser tests are required: install Debian's chromium (.ci/run does)");
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      // the machine has no network: keep Chromium from trying
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    fs.mkdirSync(ARTIFACTS, { recursive: true });
  });
  afterAll(async () => {
    await browser?.close();
  });

  it.each(REPORTS)('%s: renders its charts with data, no console errors, no network', async (kind, args, charts) => {
    const out = path.join(dir, kind);
    const r = await run([...args, '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const page = await browser.newPage({ viewport: { width: 1000, height: 1200 } });
    const problems: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (q) => {
      if (!q.url().startsWith('file:')) problems.push(`network request to ${q.url()}`);
    });
    await page.goto(`file://${path.join(out, 'report.html')}`);
    const found = await page.$$eval('svg.chart', (els) =>
      els.map((e) => {
        const box = e.getBoundingClientRect();
        return {
          kind: e.getAttribute('data-kind') ?? '',
          points: Number(e.getAttribute('data-points')),
          drawn: e.querySelectorAll('circle.point, rect.op, g.bar rect').length,
          width: box.width,
          height: box.height,
        };
      }),
    );
    for (const [chart, min] of Object.entries(charts)) expect(found.filter((c) => c.kind === chart).length).toBeGreaterThanOrEqual(min);
    for (const c of found) {
      expect(c.points).toBeGreaterThan(0);
      expect(c.drawn).toBeGreaterThan(0);
      expect(c.width).toBeGreaterThan(100);
      expect(c.height).toBeGreaterThan(50);
    }
    expect(await page.locator('h2', { hasText: 'System parameters' }).count()).toBe(1);
    await page.screenshot({ path: path.join(ARTIFACTS, `report-${kind}.png`), fullPage: true });
    await page.close();
    expect(problems).toEqual([]);
  });

  it('escapes user-provided strings: a hostile system name stays text', async () => {
    const evil = '<img src=x onerror="document.title=1"><script>document.title=2</script>';
    const html = renderSweepReport({
      model: { model: evil },
      sweep: { id: 'x', points: 1 },
      rows: [
        {
          index: 0,
          system: evil,
          objective: 'latency',
          seqLen: 64,
          params: {},
          latencyS: 1e-3,
          energyJ: 1e-3,
          status: 'optimal',
          opsPerDevice: {},
        },
      ],
    });
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    const file = path.join(dir, 'evil.html');
    fs.writeFileSync(file, html);
    const page = await browser.newPage();
    await page.goto(`file://${file}`);
    expect(await page.locator('img, script').count()).toBe(0);
    expect(await page.title()).toContain('<img');
    expect(await page.locator('td', { hasText: '<script>' }).count()).toBeGreaterThan(0);
    await page.close();
  });
});
