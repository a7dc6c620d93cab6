import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createFaceAnalyzer } from '../../../src/vision/create-face-analyzer';
import type { FaceAnalyzer } from '../../../src/vision/face-analyzer';
import { fixture } from '../../helpers/fixtures';
import { testConfig } from '../../helpers/gallery-fixtures';
import { errorOf, multipartBody, startTestApi, type TestApi } from './http-test-kit';

/**
 * /v1/identities over the real gallery and the real face models: enrol, read, photo, search, add
 * and remove templates, erase; and the upload bad inputs (text named .jpg, truncated JPEG,
 * decompression bomb, oversized and too many files, unknown fields, JSON instead of multipart).
 */
const file = (...p: string[]) => readFileSync(fixture(...p));
const OBAMA = file('face_recognition', 'knn_examples', 'train', 'obama', 'obama.jpg');
const OBAMA2 = file('face_recognition', 'knn_examples', 'train', 'obama', 'obama2.jpg');
const OBAMA_PROBE = file('face_recognition', 'knn_examples', 'test', 'obama1.jpg');
const BIDEN = file('face_recognition', 'knn_examples', 'train', 'biden', 'biden.jpg');
const TEXT = file('bad', 'text.jpg');
// biome-ignore lint/suspicious/noExplicitAny: response bodies are checked by the assertions
const json = (res: { body: string }) => JSON.parse(res.body) as any;

type Part = Parameters<typeof multipartBody>[0][number];
const img = (bytes: Buffer, filename = 'photo.jpg', name = 'images'): Part => ({ name, filename, bytes });

let analyzer: FaceAnalyzer;
let api: TestApi;

beforeAll(async () => {
  analyzer = await createFaceAnalyzer(testConfig('/nonexistent'), { workers: 1 });
  api = await startTestApi({
    faces: async () => analyzer,
    http: { uploadLimitBytes: 400_000, maxUploadFiles: 3 },
  });
}, 180_000);
afterAll(async () => {
  await api?.close();
  await analyzer?.close();
});

async function enrol(parts: Part[], as: 'admin' | 'operator' = 'admin') {
  return api.call({ as, method: 'POST', url: '/v1/identities', ...multipartBody(parts) });
}

describe('/v1/identities', () => {
  it('enrols from photos, reports a rejected one, and is audited without biometrics or the name', async () => {
    const res = await enrol([
      { name: 'name', value: 'Barack Obama' },
      { name: 'reason', value: 'case 2026-17' },
      { name: 'watchlists', value: 'vip, staff' },
      { name: 'watchlists', value: 'night' },
      { name: 'metadata', value: '{"badge": 7}' },
      img(OBAMA, 'a.jpg'),
      img(TEXT, 'b.jpg'),
      img(OBAMA2, 'c.jpg', 'images'),
    ]);
    expect(res.statusCode).toBe(201);
    const body = json(res);
    expect(body.added).toBe(2);
    expect(body.identity).toMatchObject({
      name: 'Barack Obama',
      watchlists: ['vip', 'staff', 'night'],
      metadata: { badge: 7 },
      enrolledBy: `key:${api.keys.admin.id}`,
      templates: 2,
    });
    expect(body.images.map((i: { status: string; code?: string }) => [i.status, i.code])).toEqual([
      ['enrolled', undefined],
      ['rejected', 'ARGUS_E_IMAGE_UNSUPPORTED_FORMAT'],
      ['enrolled', undefined],
    ]);
    const entry = api.audit.list({ action: 'identity.enrol' })[0]!;
    expect(entry).toMatchObject({
      actor: `key:${api.keys.admin.id}`,
      target: body.identity.id,
      reason: 'case 2026-17',
      details: { added: 2, duplicates: 0, rejected: 1 },
    });
    expect(JSON.stringify(entry)).not.toContain('Obama');

    const id = body.identity.id as string;
    const list = json(await api.call({ as: 'operator', method: 'GET', url: '/v1/identities?limit=10' }));
    expect(list.identities.map((i: { id: string }) => i.id)).toContain(id);
    const one = json(await api.call({ as: 'operator', method: 'GET', url: `/v1/identities/${id}` }));
    expect(one.templateList).toHaveLength(2);
    expect(JSON.stringify(one)).not.toMatch(/embedding/i);
    const photo = await api.call({ as: 'operator', method: 'GET', url: `/v1/identities/${id}/photo` });
    expect(photo.statusCode).toBe(200);
    expect(photo.headers['content-type']).toBe('image/jpeg');
    expect(photo.rawPayload.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));

    const search = await api.call({
      as: 'operator',
      method: 'POST',
      url: '/v1/identities/search',
      ...multipartBody([img(OBAMA_PROBE, 'probe.jpg', 'image'), { name: 'reason', value: 'incident 9' }]),
    });
    expect(search.statusCode).toBe(200);
    expect(json(search).matches[0]).toMatchObject({ identity: { id }, match: true });
    expect(api.audit.list({ action: 'gallery.search' })[0]).toMatchObject({
      actor: `key:${api.keys.operator.id}`,
      reason: 'incident 9',
      details: { imageSha256: createHash('sha256').update(OBAMA_PROBE).digest('hex'), matchedIdentityId: id },
    });
  });

  it('adds photos (duplicates skipped), removes a template and erases the identity, each audited', async () => {
    const enrolled = json(
      await enrol([{ name: 'name', value: 'Joe' }, { name: 'reason', value: 'test' }, img(BIDEN)]),
    );
    const id = enrolled.identity.id as string;
    const add = await api.call({
      as: 'admin',
      method: 'POST',
      url: `/v1/identities/${id}/images`,
      ...multipartBody([img(BIDEN, 'again.jpg'), img(OBAMA_PROBE, 'other.jpg')]),
    });
    expect(add.statusCode).toBe(200);
    expect(json(add)).toMatchObject({ added: 1 });
    expect(json(add).images.map((i: { status: string }) => i.status)).toEqual(['duplicate', 'enrolled']);
    const templateId = json(add).images[1].templateId as number;
    const noReason = await api.call({
      as: 'admin',
      method: 'DELETE',
      url: `/v1/identities/${id}/templates/${templateId}`,
    });
    expect(errorOf(noReason).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    const wrongPair = await api.call({
      as: 'admin',
      method: 'DELETE',
      url: `/v1/identities/${id}/templates/999999?reason=x`,
    });
    expect(errorOf(wrongPair).code).toBe('ARGUS_E_GALLERY_TEMPLATE_NOT_FOUND');
    const removed = await api.call({
      as: 'admin',
      method: 'DELETE',
      url: `/v1/identities/${id}/templates/${templateId}?reason=${encodeURIComponent('wrong person')}`,
    });
    expect(removed.statusCode).toBe(200);
    const erased = await api.call({
      as: 'admin',
      method: 'DELETE',
      url: `/v1/identities/${id}?reason=request%2042`,
    });
    expect(json(erased)).toMatchObject({ identityId: id, templates: 1 });
    const gone = await api.call({ as: 'operator', method: 'GET', url: `/v1/identities/${id}` });
    expect([gone.statusCode, errorOf(gone).code]).toEqual([404, 'ARGUS_E_GALLERY_IDENTITY_NOT_FOUND']);
    expect(
      (await api.call({ as: 'operator', method: 'GET', url: `/v1/identities/${id}/photo` })).statusCode,
    ).toBe(404);
    const actions = api.audit
      .list({})
      .filter((e) => e.target === id)
      .map((e) => [e.action, e.reason]);
    expect(actions).toEqual([
      ['identity.delete', 'request 42'],
      ['identity.template.remove', 'wrong person'],
      ['identity.template.add', undefined],
      ['identity.enrol', 'test'],
    ]);
  });

  it.each([
    ['a text file named .jpg', [img(TEXT)], 415, 'ARGUS_E_IMAGE_UNSUPPORTED_FORMAT'],
    ['a truncated JPEG', [img(file('bad', 'truncated.jpg'))], 400, 'ARGUS_E_IMAGE_CORRUPT'],
    [
      'a PNG decompression bomb (30000x30000 header)',
      [img(file('bad', 'bomb.png'), 'b.png')],
      413,
      'ARGUS_E_IMAGE_TOO_LARGE',
    ],
    ['a photo without a face', [img(file('bad', 'noface.jpg'))], 422, 'ARGUS_E_NO_FACE'],
    ['an empty file', [img(Buffer.alloc(0))], 400, 'ARGUS_E_IMAGE_EMPTY'],
    [
      'a file over http.uploadLimitBytes',
      [img(Buffer.concat([OBAMA, OBAMA]))],
      413,
      'ARGUS_E_HTTP_BODY_TOO_LARGE',
    ],
    [
      'more files than http.maxUploadFiles',
      [img(OBAMA), img(OBAMA2), img(BIDEN), img(TEXT)],
      400,
      'ARGUS_E_HTTP_BAD_REQUEST',
    ],
    ['no file at all', [], 400, 'ARGUS_E_HTTP_BAD_REQUEST'],
    ['a file under another field name', [img(OBAMA, 'a.jpg', 'photo')], 400, 'ARGUS_E_HTTP_BAD_REQUEST'],
    ['an unknown text field', [img(OBAMA), { name: 'age', value: '40' }], 400, 'ARGUS_E_HTTP_BAD_REQUEST'],
    [
      'metadata that is not JSON',
      [img(OBAMA), { name: 'metadata', value: '{badge' }],
      400,
      'ARGUS_E_HTTP_BAD_REQUEST',
    ],
    [
      'metadata with __proto__',
      [img(OBAMA), { name: 'metadata', value: '{"__proto__":{"x":1}}' }],
      400,
      'ARGUS_E_HTTP_BAD_REQUEST',
    ],
  ] as Array<[string, Part[], number, string]>)(
    'refuses %s and enrols nobody',
    async (_what, files, status, code) => {
      const before = api.gallery.list().total;
      const res = await enrol([{ name: 'name', value: 'X' }, { name: 'reason', value: 'test' }, ...files]);
      expect([res.statusCode, errorOf(res).code]).toEqual([status, code]);
      expect(api.gallery.list().total).toBe(before);
    },
  );

  it('refuses a missing reason, JSON instead of multipart, and unknown ids', async () => {
    const noReason = await enrol([{ name: 'name', value: 'X' }, img(OBAMA)]);
    expect([noReason.statusCode, errorOf(noReason).code]).toEqual([400, 'ARGUS_E_GALLERY_IDENTITY_INVALID']);
    const asJson = await api.call({
      as: 'admin',
      method: 'POST',
      url: '/v1/identities',
      payload: { name: 'X', reason: 'y', images: [] },
    });
    expect([asJson.statusCode, errorOf(asJson).code]).toEqual([415, 'ARGUS_E_HTTP_UNSUPPORTED_MEDIA_TYPE']);
    const unknownAdd = await api.call({
      as: 'admin',
      method: 'POST',
      url: '/v1/identities/00000000-0000-0000-0000-000000000000/images',
      ...multipartBody([img(OBAMA)]),
    });
    expect(unknownAdd.statusCode).toBe(404);
    const unknownDelete = await api.call({
      as: 'admin',
      method: 'DELETE',
      url: '/v1/identities/00000000-0000-0000-0000-000000000000?reason=x',
    });
    expect(unknownDelete.statusCode).toBe(404);
    const badCursor = await api.call({ as: 'operator', method: 'GET', url: '/v1/identities?cursor=-1' });
    expect(badCursor.statusCode).toBe(400);
  });

  it('search refuses a non-image (415), a faceless photo (422), two images and a bad k (400)', async () => {
    const audited = api.audit.list({ action: 'gallery.search' }).length;
    const search = (parts: Part[]) =>
      api.call({ as: 'operator', method: 'POST', url: '/v1/identities/search', ...multipartBody(parts) });
    expect(errorOf(await search([img(TEXT, 'x.jpg', 'image')])).code).toBe(
      'ARGUS_E_IMAGE_UNSUPPORTED_FORMAT',
    );
    expect(errorOf(await search([img(file('bad', 'noface.jpg'), 'x.jpg', 'image')])).code).toBe(
      'ARGUS_E_NO_FACE',
    );
    const two = await search([img(OBAMA, 'a.jpg', 'image'), img(OBAMA2, 'b.jpg', 'image')]);
    expect(errorOf(two).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    const badK = await search([img(OBAMA, 'a.jpg', 'image'), { name: 'k', value: '1e9' }]);
    expect(errorOf(badK).code).toBe('ARGUS_E_HTTP_BAD_REQUEST');
    // Refused searches compared no face with the gallery: nothing to audit.
    expect(api.audit.list({ action: 'gallery.search' })).toHaveLength(audited);
  });

  it('takes a browser-style multipart upload over a real socket (fetch + FormData)', async () => {
    const other = await startTestApi({ faces: async () => analyzer });
    try {
      const base = await other.app.listen({ host: '127.0.0.1', port: 0 });
      const form = new FormData();
      form.append('name', 'Obama');
      form.append('reason', 'socket test');
      form.append('images', new Blob([OBAMA], { type: 'image/jpeg' }), 'obama.jpg');
      const res = await fetch(`${base}/v1/identities`, {
        method: 'POST',
        headers: { authorization: `Bearer ${other.keys.admin.key}` },
        body: form,
      });
      expect(res.status).toBe(201);
      expect(((await res.json()) as { added: number }).added).toBe(1);
    } finally {
      await other.close();
    }
  });
});
