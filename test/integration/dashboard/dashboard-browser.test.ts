import { type ChildProcess, spawn } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { descendants, until } from '../../helpers/serve-process';

/**
 * The ops dashboard in a real browser (Debian's Chromium driven by playwright-core) against a real
 * `argus serve --demo` child process: log in with the first-start admin key, see the demo stream
 * go live, receive an alert, confirm it, find it in the history, enrol someone from the gallery
 * page's file input and delete them again, open the system page. Each page is screenshotted into
 * test/artifacts/dashboard/ (and into docs/screenshots/ when ARGUS_UPDATE_SCREENSHOTS=1).
 */
const ROOT = path.resolve(__dirname, '../../..');
const BIN = path.join(ROOT, 'bin', 'argus.js');
const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'test', 'artifacts', 'dashboard');
const DOCS_SHOTS = path.join(ROOT, 'docs', 'screenshots');
const KIT = path.join(ROOT, 'test', 'fixtures', 'face_recognition', 'knn_examples', 'train', 'kit_harington');
const DEMO_NAME = 'Lin-Manuel Miranda (demo)';

const runIt = existsSync(CHROMIUM) || process.env.CI === 'true' ? describe : describe.skip;

let dataDir: string;
let child: ChildProcess | undefined;
const out = { stdout: '', stderr: '' };
let base: string;
let adminKey: string;
let browser: Browser | undefined;
let page: Page;
const pageErrors: string[] = [];
/** The page's WebSocket traffic (message types and ids only), kept for a failure's artefacts. */
const wsLog: string[] = [];
let alertId: number;

function kill(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function api<T>(method: string, url: string): Promise<T> {
  const r = await fetch(base + url, { method, headers: { authorization: `Bearer ${adminKey}` } });
  if (!r.ok) throw new Error(`${method} ${url}: ${r.status} ${await r.text()}`);
  return (await r.json()) as T;
}

async function shot(name: string): Promise<void> {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file });
  if (process.env.ARGUS_UPDATE_SCREENSHOTS === '1') {
    mkdirSync(DOCS_SHOTS, { recursive: true });
    copyFileSync(file, path.join(DOCS_SHOTS, `${name}.png`));
  }
}

/** Runs a test body; on failure keeps a screenshot of the page as it was, then fails. */
function withShot(name: string, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (err) {
      await page?.screenshot({ path: path.join(ARTIFACTS, `failed-${name}.png`) }).catch(() => undefined);
      writeFileSync(
        path.join(ARTIFACTS, `failed-${name}.log`),
        `${wsLog.join('\n')}\n\n${out.stdout}\n${out.stderr}`,
      );
      throw err;
    }
  };
}

async function openPage(name: string, heading: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM) && process.env.CI !== 'true') return;
  // npm test builds first. Building here instead would delete and rewrite dist/ while other test
  // files run from it in parallel (it once made dashboard-api-browser skip itself mid-run).
  if (!existsSync(path.join(ROOT, 'dist', 'web', 'index.html'))) {
    throw new Error('dist/ has no dashboard bundle: run `npm run build` first (npm test does)');
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'argus-dashboard-'));
  const config = path.join(dataDir, 'config.json');
  writeFileSync(config, JSON.stringify({ dataDir, http: { host: '127.0.0.1', port: 0 } }));
  child = spawn(process.execPath, [BIN, 'serve', '--demo', '--data', dataDir, '--config', config], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.on('data', (b: Buffer) => (out.stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out.stderr += b.toString()));
  const ws = await until('the serve banner', 180_000, () => {
    if (child!.exitCode !== null || child!.signalCode !== null) {
      throw new Error(
        `serve --demo exited ${child!.exitCode ?? child!.signalCode}: ${out.stdout}${out.stderr}`,
      );
    }
    return /(ws:\/\/\S+)\/v1\/alerts/.exec(out.stdout)?.[1];
  });
  base = ws.replace(/^ws/, 'http');
  const m = /Admin API key \(id \w+\)[^\n]*\n(\S+)/.exec(out.stdout);
  if (!m) throw new Error(`no admin key in the banner: ${out.stdout}`);
  adminKey = m[1]!;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(30_000);
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('websocket', (ws) => {
    const note = (dir: string, payload: string | Buffer) => {
      const m = /"type":"([a-z-]+)"(?:,"eventId":(\d+))?/.exec(String(payload));
      wsLog.push(
        `${new Date().toISOString()} ${dir} ${m ? `${m[1]} ${m[2] ?? ''}` : String(payload).slice(0, 60)}`,
      );
      if (wsLog.length > 500) wsLog.shift();
    };
    wsLog.push(`${new Date().toISOString()} open ${ws.url()}`);
    ws.on('framesent', (f) => note('sent', f.payload));
    ws.on('framereceived', (f) => note('recv', f.payload));
    ws.on('close', () => wsLog.push(`${new Date().toISOString()} closed`));
  });
}, 420_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  if (child?.pid !== undefined) {
    const family = descendants(child.pid);
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child!.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child!.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
    for (const pid of family) kill(pid);
  }
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 60_000);

runIt('dashboard in Chromium against argus serve --demo', () => {
  test(
    'the page is served with strict security headers',
    withShot('headers', async () => {
      const r = await fetch(`${base}/`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    }),
  );

  test(
    'logs in with the first-start admin key',
    withShot('login', async () => {
      await page.goto(`${base}/`);
      await page.getByLabel('API key').waitFor();
      await shot('login');
      await page
        .getByLabel('API key')
        .fill('argus_0000000000000000_not-a-real-key-at-all-0000000000000000000');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').waitFor();
      await page.getByLabel('API key').fill(adminKey);
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Streams' }).waitFor();
      await expect(page.getByText(/admin · [0-9a-f]{16}/).isVisible()).resolves.toBe(true);
    }),
  );

  test(
    'shows the demo stream tile going live',
    withShot('streams', async () => {
      const tile = page.locator('[data-stream-id="demo"]');
      await tile.locator('[data-testid="stream-state"]', { hasText: 'live' }).waitFor({ timeout: 120_000 });
      await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
      // Let a few polls fill in fps and latency before the picture.
      await page.waitForTimeout(4000);
      await shot('streams');
    }),
    150_000,
  );

  test(
    'receives an alert for the demo identity in the live feed and confirms it',
    withShot('live', async () => {
      await openPage('Live alerts', 'Live alerts');
      // Pushed over the WebSocket (not loaded from the history when the page opened).
      const newest = page
        .locator('article[data-alert-id][data-source="live"]', { hasText: DEMO_NAME })
        .first();
      await newest.waitFor({ timeout: 120_000 });
      alertId = Number(await newest.getAttribute('data-alert-id'));
      expect(alertId).toBeGreaterThan(0);
      // The demo alerts again on every loop of the clip: pin this card, not "the newest".
      const card = page.locator(`article[data-alert-id="${alertId}"]`);
      await expect(card.getByText('Candidate for human review').isVisible()).resolves.toBe(true);
      await expect(card.textContent()).resolves.toMatch(/1 in [\d,]+/);
      // The crop and the enrolled photo are fetched with the key and shown as blob: URLs.
      const crop = card.locator('img[alt^="Face seen on demo"]');
      await crop.waitFor({ timeout: 30_000 });
      await expect(crop.getAttribute('src')).resolves.toMatch(/^blob:/);
      const photo = card.locator(`img[alt="Enrolled photo of ${DEMO_NAME}"]`);
      await photo.waitFor();
      await expect(photo.getAttribute('src')).resolves.toMatch(/^blob:/);
      // Page functions as strings: this file compiles without the DOM library.
      await page.waitForFunction(
        `[...document.querySelectorAll('article[data-alert-id="${alertId}"] img')].every((i) => i.complete && i.naturalWidth > 0)`,
      );
      await shot('live');
      await card.getByLabel('Review comment (optional)').fill('seen on the demo clip (browser test)');
      await card.getByRole('button', { name: 'Confirm' }).click();
      await card.getByText('Confirmed by you').waitFor();
      const stored = await api<{ review: { status: string; comment?: string } }>(
        'GET',
        `/v1/alerts/${alertId}`,
      );
      expect(stored.review).toMatchObject({
        status: 'confirmed',
        comment: 'seen on the demo clip (browser test)',
      });
    }),
    180_000,
  );

  test(
    'finds the confirmed alert in the history',
    withShot('history', async () => {
      // A few more demo alerts make a more telling picture (cosmetic: it goes on after 60 s anyway).
      const started = Date.now();
      while (Date.now() - started < 60_000) {
        const page1 = await api<{ items: unknown[] }>('GET', '/v1/alerts?limit=5');
        if (page1.items.length >= 5) break;
        await new Promise((r) => setTimeout(r, 2000));
      }
      await openPage('Alert history', 'Alert history');
      // The unfiltered history (the demo alerts on every loop of the clip) is the picture.
      await page.locator(`tr[data-alert-id="${alertId}"]`).waitFor();
      await shot('history');
      await page.getByLabel('Review status').selectOption('confirmed');
      await page.getByLabel('Stream id').fill('demo');
      await page.getByRole('button', { name: 'Apply filters' }).click();
      const row = page.locator(`tr[data-alert-id="${alertId}"]`);
      await row.waitFor();
      await expect(row.textContent()).resolves.toContain('confirmed');
      await expect(page.locator('tbody tr .review-pending').count()).resolves.toBe(0);
    }),
    120_000,
  );

  test(
    'enrols an identity through the file input and deletes it again',
    withShot('gallery', async () => {
      await openPage('Gallery', 'Gallery');
      const demo = page.locator('li[data-identity-id]', { hasText: DEMO_NAME });
      await expect(demo.locator('img').getAttribute('src')).resolves.toMatch(/^blob:/);
      await shot('gallery'); // replaced below by one with the new identity too
      const images = readdirSync(KIT)
        .filter((f) => /\.jpe?g$/i.test(f))
        .map((f) => path.join(KIT, f));
      expect(images.length).toBeGreaterThan(0);
      await page.getByLabel('Name').fill('Kit Harington (browser test)');
      await page.getByLabel('Watchlists (comma-separated, optional)').fill('e2e');
      await page.getByLabel('Reason for enrolment (required; audited)').fill('dashboard browser test');
      await page.locator('#enrol-images').setInputFiles(images);
      await page.getByRole('button', { name: 'Enrol', exact: true }).click();
      // Success or the server's error, whichever comes: a failure then names the server's reason.
      const outcome = page.locator('form.enrol .note');
      await outcome.first().waitFor({ timeout: 120_000 });
      await expect(outcome.first().textContent()).resolves.toMatch(
        /^Enrolled Kit Harington \(browser test\) with [1-9]\d* template/,
      );
      const tile = page.locator('li[data-identity-id]', { hasText: 'Kit Harington (browser test)' });
      await tile.waitFor();
      const id = await tile.getAttribute('data-identity-id');
      await tile.locator('img').waitFor();
      await shot('gallery');

      await tile.getByRole('button', { name: 'Delete Kit Harington (browser test)' }).click();
      await page.getByLabel('Reason (required)').fill('browser test clean-up');
      await page.getByRole('button', { name: 'Delete permanently' }).click();
      await tile.waitFor({ state: 'detached' });
      const r = await fetch(`${base}/v1/identities/${id}`, {
        headers: { authorization: `Bearer ${adminKey}` },
      });
      expect(r.status).toBe(404);
    }),
    180_000,
  );

  test(
    'shows the system page with live figures and the latency chart',
    withShot('system', async () => {
      await openPage('System', 'System');
      await page.getByText('Workers busy').waitFor();
      // A few 2 s polls so the chart has lines.
      await page.waitForFunction("document.querySelectorAll('figure.chart polyline').length > 0", undefined, {
        timeout: 30_000,
      });
      await page.waitForTimeout(6000);
      await shot('system');
      expect(pageErrors).toEqual([]);
    }),
    60_000,
  );

  test(
    'logs out and forgets the key',
    withShot('logout', async () => {
      await page.getByRole('button', { name: 'Log out' }).click();
      await page.getByLabel('API key').waitFor();
      await expect(page.evaluate('sessionStorage.length')).resolves.toBe(0);
    }),
  );
});
