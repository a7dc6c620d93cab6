import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { dashboardRoutes } from '../../../src/http/dashboard-routes';
import { WhipIngest } from '../../../src/ingest/webrtc/whip-ingest';
import { whipRoutes } from '../../../src/ingest/webrtc/whip-routes';
import { tempDir } from '../../helpers/gallery-fixtures';
import { errorOf, startTestApi, type TestApi } from './http-test-kit';

/**
 * The plugins the composition root passes in (the dashboard, the WHIP routes) live inside the
 * app: their routes need no key from the API's hook, keep their own headers and error handling,
 * and do not change the API's.
 */
describe('plugins inside the app', () => {
  let api: TestApi;
  let web: ReturnType<typeof tempDir>;
  const whip = new WhipIngest();

  beforeAll(async () => {
    web = tempDir('http-web');
    const webDir = path.join(web.dir, 'web');
    mkdirSync(webDir);
    writeFileSync(path.join(webDir, 'index.html'), '<!doctype html><title>Argus</title>');
    writeFileSync(path.join(webDir, 'app.js'), 'console.log(1)');
    api = await startTestApi({
      plugins: [
        { plugin: dashboardRoutes, options: { webDir } },
        { plugin: whipRoutes, options: { ingest: whip } },
      ],
    });
  });
  afterAll(async () => {
    await api?.close();
    await whip.closeAll();
    web?.cleanup();
  });

  it('serves the dashboard without a key, with its own CSP', async () => {
    const page = await api.call({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<title>Argus</title>');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    const asset = await api.call({ method: 'GET', url: '/assets/app.js' });
    expect(asset.statusCode).toBe(200);
  });

  it('leaves WHIP to its own parser and error handler, and the API keeps JSON', async () => {
    const res = await api.call({
      method: 'POST',
      url: '/whip/cam1',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    expect([res.statusCode, errorOf(res).code]).toEqual([415, 'ARGUS_E_WHIP_CONTENT_TYPE']);
    const created = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/streams',
      payload: { id: 'cam1', url: 'whip:cam1' },
    });
    expect(created.statusCode).toBe(201);
  });
});
