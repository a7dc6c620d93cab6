import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { AlertHub } from '../../../src/alerts/alert-hub';
import type { AlertInput } from '../../../src/alerts/alert-messages';
import { WsAlertServer } from '../../../src/alerts/ws-alert-server';
import { dashboardRoutes } from '../../../src/http/dashboard-routes';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import type { FaceAnalyzer } from '../../../src/vision/face-analyzer';
import { testConfig } from '../../helpers/gallery-fixtures';
import { startTestApi, type TestApi } from '../http/http-test-kit';

/**
 * The dashboard in Chromium against the real HTTP app, key store, audit log and alert hub +
 * WebSocket server, with in-memory streams and alerts (see ../http/memory-services.ts): fast and
 * deterministic, so it can check what the demo run cannot force: an alert-update merging into its
 * card, a WebSocket outage with resume from the last event id, role-dependent controls, and the
 * add/stop/start stream controls. (The full run against `argus serve --demo` is
 * dashboard-browser.test.ts.)
 */
const ROOT = path.resolve(__dirname, '../../..');
const CHROMIUM = '/usr/bin/chromium';
const WEB = path.join(ROOT, 'dist', 'web');
const KIT = path.join(ROOT, 'test', 'fixtures', 'face_recognition', 'knn_examples', 'train', 'kit_harington');
const CROP = readFileSync(path.join(ROOT, 'test', 'fixtures', 'face_recognition', 'obama_small.jpg'));

const runIt =
  (existsSync(CHROMIUM) && existsSync(path.join(WEB, 'index.html'))) || process.env.CI === 'true'
    ? describe
    : describe.skip;

let t: TestApi | undefined;
let analyzer: FaceAnalyzer | undefined;
let hub: AlertHub;
let wsServer: WsAlertServer;
let base: string;
let browser: Browser | undefined;
let page: Page;

function alertInput(over: Partial<AlertInput> = {}): AlertInput {
  return {
    streamId: 'cam1',
    captureTime: new Date().toISOString(),
    trackId: 't1',
    identity: { id: 'id-ada', name: 'Ada Example', watchlists: ['staff'] },
    similarity: 0.58,
    margin: 0.21,
    fmr: 1 / 120_000,
    evidenceCount: 2,
    box: { x: 10, y: 20, width: 80, height: 90 },
    quality: 0.8,
    modelId: 'fr_feature',
    ...over,
  };
}

/**
 * Publishes over the hub and stores the same alert under its event id. (The in-memory store keys
 * crop files by its own count, so only alerts raised before any alert-update keep their crop.)
 */
function raise(over: Partial<AlertInput> = {}): number {
  const input = alertInput(over);
  const e = hub.publish(input);
  t!.alerts.add({ ...input, id: e.eventId, emitTime: e.emitTime, cropJpeg: CROP });
  return e.eventId;
}

async function login(key: string): Promise<void> {
  await page.goto(`${base}/`);
  await page.getByLabel('API key').fill(key);
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Streams' }).waitFor();
}

async function openPage(name: string): Promise<void> {
  await page.getByRole('navigation', { name: 'Pages' }).getByRole('link', { name }).click();
  await page.getByRole('heading', { level: 1, name }).waitFor();
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM) && process.env.CI !== 'true') return;
  analyzer = await createFaceAnalyzer(testConfig('/nonexistent'), { workers: 1 });
  t = await startTestApi({
    faces: async () => analyzer!,
    plugins: [{ plugin: dashboardRoutes, options: { webDir: WEB } }],
  });
  base = await t.app.listen({ host: '127.0.0.1', port: 0 });
  hub = new AlertHub();
  wsServer = new WsAlertServer(t.app.server, hub, t.store, { heartbeatMs: 60_000 });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  page = await browser.newPage({ viewport: { width: 1366, height: 768 } });
  page.setDefaultTimeout(20_000);
}, 120_000);

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await wsServer?.close();
  hub?.close();
  await t?.close();
  await analyzer?.close();
}, 60_000);

runIt('dashboard against the real HTTP API and alert hub (in-memory pipeline)', () => {
  test('an operator adds a stream, stops and starts it; credentials stay hidden', async () => {
    await login(t!.keys.operator.key);
    await page.getByLabel('Stream id').fill('cam1');
    await page.getByLabel(/^URL/).fill('rtsp://user:secret@127.0.0.1:8554/cam');
    await page.getByRole('button', { name: 'Add stream' }).click();
    const tile = page.locator('[data-stream-id="cam1"]');
    await tile.waitFor();
    await expect(tile.textContent()).resolves.not.toContain('secret');
    await tile.getByRole('button', { name: 'Stop stream cam1' }).click();
    await tile.locator('[data-testid="stream-state"]', { hasText: 'stopped' }).waitFor();
    await tile.getByRole('button', { name: 'Start stream cam1' }).click();
    await tile.locator('[data-testid="stream-state"]', { hasText: 'live' }).waitFor();
    // A second stream with the same id: the server's message is shown.
    await page.getByLabel('Stream id').fill('cam1');
    await page.getByLabel(/^URL/).fill('rtsp://127.0.0.1:8554/other');
    await page.getByRole('button', { name: 'Add stream' }).click();
    await page.getByRole('alert').filter({ hasText: 'cam1' }).waitFor();
  });

  test('a live alert shows its crop, similarity, false-match rate and evidence', async () => {
    await openPage('Live alerts');
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor();
    const id = raise();
    const card = page.locator(`article[data-alert-id="${id}"][data-source="live"]`);
    await card.waitFor();
    await expect(card.textContent()).resolves.toContain('1 in 120,000');
    await expect(card.getByText('Candidate for human review').isVisible()).resolves.toBe(true);
    await expect(card.locator('img[alt^="Face seen on cam1"]').getAttribute('src')).resolves.toMatch(
      /^blob:/,
    );
    // No photo enrolled for this identity: the page says so instead of breaking.
    await card.getByText('No enrolled photo').waitFor();
  });

  test('after a WebSocket outage it reconnects by itself and resumes what it missed', async () => {
    await wsServer.close();
    await page
      .getByTestId('connection')
      .filter({ hasText: /Reconnecting|Connecting/ })
      .waitFor();
    // Published while the dashboard is disconnected: only a resume can bring it.
    const missed = raise({ trackId: 't2', identity: { id: 'id-bob', name: 'Bob Example', watchlists: [] } });
    wsServer = new WsAlertServer(t!.app.server, hub, t!.store, { heartbeatMs: 60_000 });
    await page.getByTestId('connection').filter({ hasText: 'Live' }).waitFor({ timeout: 40_000 });
    await page
      .locator(`article[data-alert-id="${missed}"][data-source="live"]`, { hasText: 'Bob Example' })
      .waitFor();
  }, 60_000);

  test('an alert-update changes the card of its first alert instead of adding one', async () => {
    const id = 1;
    const card = page.locator(`article[data-alert-id="${id}"]`);
    hub.publishUpdate(id, alertInput({ evidenceCount: 5, similarity: 0.66, fmr: 1 / 2_000_000 }));
    await card.getByText('5 frames (updated 1×)').waitFor();
    await expect(card.textContent()).resolves.toContain('1 in 2,000,000');
    await expect(page.locator('article[data-alert-id]').count()).resolves.toBe(2);
  });

  test('an operator rejects an alert with a comment and finds it in the history', async () => {
    const card = page.locator('article[data-alert-id="1"]');
    await card.getByLabel('Review comment (optional)').fill('not her: different ears');
    await card.getByRole('button', { name: 'Reject' }).click();
    await card.getByText('Rejected by you').waitFor();
    expect(t!.alerts.reviews).toEqual([expect.objectContaining({ id: 1, status: 'rejected' })]);
    await openPage('Alert history');
    await page.getByLabel('Review status').selectOption('rejected');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const row = page.locator('tr[data-alert-id="1"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain('not her: different ears');
    await expect(page.locator('tbody tr').count()).resolves.toBe(1);
    // A second rejection makes a pattern ("not this person"), shown above the history.
    const again = raise();
    t!.alerts.review(again, { status: 'rejected', comment: 'again not her' }, { id: 'op', role: 'operator' });
    await openPage('Streams');
    await openPage('Alert history');
    await page.getByTestId('rejection-patterns').getByText('2 rejections', { exact: false }).waitFor();
  });

  test('the system page shows the server figures', async () => {
    await openPage('System');
    await page.getByText('Workers busy').waitFor();
    await page.locator('figure.chart svg').waitFor();
  });

  test('an admin enrols by drag-and-drop, sees the photo beside alerts, and deletes with a reason', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await login(t!.keys.admin.key);
    await openPage('Gallery');
    // Drop two files on the drop zone, as a person dragging them from a file manager would.
    const files = ['john1.jpeg', 'john2.jpeg'].map((name) => ({
      name,
      b64: readFileSync(path.join(KIT, name)).toString('base64'),
    }));
    const drop = await page.evaluateHandle(`(() => {
      const dt = new DataTransfer();
      for (const f of ${JSON.stringify(files)}) {
        const bytes = Uint8Array.from(atob(f.b64), (c) => c.charCodeAt(0));
        dt.items.add(new File([bytes], f.name, { type: 'image/jpeg' }));
      }
      return dt;
    })()`);
    const zone = page.getByTestId('dropzone');
    await zone.dispatchEvent('dragover', { dataTransfer: drop });
    await zone.dispatchEvent('drop', { dataTransfer: drop });
    await page.getByRole('list', { name: 'Images to enrol' }).getByText('john2.jpeg').waitFor();
    await page.getByLabel('Name').fill('Kit Example');
    await page.getByLabel('Watchlists (comma-separated, optional)').fill('staff, visitors');
    await page.getByLabel('Reason for enrolment (required; audited)').fill('dashboard test');
    await page.getByRole('button', { name: 'Enrol', exact: true }).click();
    const outcome = page.locator('form.enrol .note');
    await outcome.first().waitFor({ timeout: 60_000 });
    await expect(outcome.first().textContent()).resolves.toMatch(/^Enrolled Kit Example with 2 template/);
    const tile = page.locator('li[data-identity-id]', { hasText: 'Kit Example' });
    await expect(tile.textContent()).resolves.toContain('staff, visitors');
    const id = (await tile.getAttribute('data-identity-id'))!;
    await expect(tile.locator('img').getAttribute('src')).resolves.toMatch(/^blob:/);

    // An alert for this identity shows the enrolled photo next to the crop.
    await openPage('Live alerts');
    const alertId = raise({ trackId: 't3', identity: { id, name: 'Kit Example', watchlists: ['staff'] } });
    const card = page.locator(`article[data-alert-id="${alertId}"]`);
    await expect(
      card.locator('img[alt="Enrolled photo of Kit Example"]').getAttribute('src'),
    ).resolves.toMatch(/^blob:/);

    await openPage('Gallery');
    await tile.getByRole('button', { name: 'Delete Kit Example' }).click();
    // The reason is required: an empty one is refused by the form.
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await expect(tile.count()).resolves.toBe(1);
    await page.getByLabel('Reason (required)').fill('test over');
    await page.getByRole('button', { name: 'Delete permanently' }).click();
    await tile.waitFor({ state: 'detached' });
    await page.getByText('Kit Example was deleted').waitFor();
    expect(() => t!.gallery.get(id)).toThrow();
    const audit = t!.audit.list({ limit: 20 });
    expect(JSON.stringify(audit)).toContain('test over');
  }, 120_000);

  test('a viewer sees crops but no enrolled photos, review buttons, gallery or stream controls', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await login(t!.keys.viewer.key);
    await expect(page.getByRole('button', { name: 'Add stream' }).count()).resolves.toBe(0);
    await expect(page.getByRole('button', { name: /Stop stream/ }).count()).resolves.toBe(0);
    await openPage('Live alerts');
    // Alert 2 was stored and is still pending: it joins the feed from the history.
    const card = page.locator('article[data-alert-id="2"]');
    await card.waitFor();
    await expect(card.locator('img[alt^="Face seen on cam1"]').getAttribute('src')).resolves.toMatch(
      /^blob:/,
    );
    await card.getByText('Enrolled photo: operators only').waitFor();
    await expect(card.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(0);
    await openPage('Gallery');
    await page.getByText(/shown to operators and admins/).waitFor();
  });

  test('a key revoked while logged in sends the user back to the login page', async () => {
    // The hub closes the alerts connection (4001); the dashboard logs out at once.
    t!.store.revoke(t!.keys.viewer.id);
    await page.getByLabel('API key').waitFor();
    await page.getByText(/revoked; log in again/).waitFor();
    await expect(page.evaluate('sessionStorage.length')).resolves.toBe(0);
  });
});
