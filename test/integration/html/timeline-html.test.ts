/**
 * The HTML picture of a run, rendered by a real headless Chromium (Debian's `chromium`; .ci/run
 * installs it). The page must render offline, with one lane per service and every state band, step,
 * SMS pin, DNS change and probe failure of the run present in the DOM.
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { main } from '../../../cli/main';

const CHROMIUM = process.env.SWITCHBACK_CHROMIUM ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  // Only where Chromium cannot be installed (.ci/run installs Debian's package): say so, loudly.
  console.warn(`SKIPPED: HTML timeline browser test: no Chromium at ${CHROMIUM} (apt-get install chromium, or set SWITCHBACK_CHROMIUM)`);
}
const describeWithChromium = haveChromium ? describe : describe.skip;

async function cli(args: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(args, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

describeWithChromium('switchback demo --html in headless Chromium', () => {
  let browser: Browser;
  const dir = mkdtempSync(join(tmpdir(), 'switchback-html-'));
  const htmlFile = join(dir, 'demo.html');
  let summary: { sms: unknown[]; runs: Array<{ steps: unknown[] }> };
  let timeline: Array<{ kind: string; service?: string; location?: string; primaryDown?: string[]; secondaryDown?: string[] }>;

  beforeAll(async () => {
    const json = await cli(['demo', '--json', '--html', htmlFile]);
    expect(json.code).toBe(0);
    expect(json.stderr).toContain(`timeline picture written to ${htmlFile}`);
    ({ summary, timeline } = JSON.parse(json.stdout) as { summary: typeof summary; timeline: typeof timeline });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
  });

  it('is one self-contained file: no script, no stylesheet or image from anywhere else', () => {
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).not.toMatch(/<script|<link|src=|href=|url\(/i);
  });

  it('renders a lane per service with state bands, steps, SMS pins, DNS changes and probe failures', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${htmlFile}`);
    expect(requests).toEqual([`file://${htmlFile}`]);

    expect(await page.locator('svg.lane').evaluateAll((lanes) => lanes.map((lane) => lane.getAttribute('data-service')))).toEqual(['web']);
    expect(await page.locator('svg.lane .state-band').evaluateAll((bands) => bands.map((band) => band.getAttribute('data-state')))).toEqual(
      ['PRIMARY', 'FAILING_OVER', 'SECONDARY', 'FAILING_BACK', 'PRIMARY'],
    );
    const steps = summary.runs.reduce((count, run) => count + run.steps.length, 0);
    expect(await page.locator('.step-bar').count()).toBe(steps);
    expect(await page.locator('.sms-pin').count()).toBe(summary.sms.length);
    expect(await page.locator('.dns-change').count()).toBe(timeline.filter((entry) => entry.kind === 'dns').length);
    const failingRounds = timeline.filter(
      (entry) =>
        entry.kind === 'probe' &&
        entry.location === 'us-west-2' &&
        [...(entry.primaryDown ?? []), ...(entry.secondaryDown ?? [])].includes('web'),
    );
    expect(failingRounds.length).toBeGreaterThanOrEqual(3);
    expect(await page.locator('.probe-fail[data-location="us-west-2"]').count()).toBe(failingRounds.length);
    expect(await page.locator('ul.legend li').count()).toBe(8);

    // Rendered, not just present: the lane has a real size on the page.
    const box = await page.locator('svg.lane').boundingBox();
    expect(box?.width).toBeGreaterThan(1000);
    expect(box?.height).toBeGreaterThan(100);
    expect(await page.locator('.sms-pin title').first().textContent()).toMatch(/SMS: \[switchback\] web: failing over/);
    await page.close();
  });
});
