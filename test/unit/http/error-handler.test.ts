import type { FastifyRequest } from 'fastify';
import { ArgusError } from '../../../src/errors/argus-error';
import { roleAllows } from '../../../src/http/access';
import { toHttpError } from '../../../src/http/error-handler';

/** Fastify's and its plugins' errors become catalogued codes with the right statuses. */
const req = { headers: { 'content-type': 'text/csv; charset=x' } } as unknown as FastifyRequest;
const limits = { bodyLimitBytes: 1000, uploadLimitBytes: 2000, maxUploadFiles: 3 };
const fastifyError = (code: string, statusCode: number, message = 'm') =>
  Object.assign(new Error(message), { code, statusCode });

describe('toHttpError', () => {
  it.each([
    [fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413), 'ARGUS_E_HTTP_BODY_TOO_LARGE', 413, /1000 bytes/],
    [fastifyError('FST_REQ_FILE_TOO_LARGE', 413), 'ARGUS_E_HTTP_BODY_TOO_LARGE', 413, /2000 bytes/],
    [fastifyError('FST_FILES_LIMIT', 413), 'ARGUS_E_HTTP_BAD_REQUEST', 400, /more than 3 files/],
    [
      fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 415),
      'ARGUS_E_HTTP_UNSUPPORTED_MEDIA_TYPE',
      415,
      /"text\/csv"/,
    ],
    [fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'empty'), 'ARGUS_E_HTTP_BAD_REQUEST', 400, /empty/],
    [
      Object.assign(new Error('body/x bad'), { validation: [] }),
      'ARGUS_E_HTTP_BAD_REQUEST',
      400,
      /body\/x bad/,
    ],
    [new ArgusError('ARGUS_E_CONFLICT', { reason: 'exists' }), 'ARGUS_E_CONFLICT', 409, /exists/],
    [new TypeError('boom'), 'ARGUS_E_INTERNAL', 500, /boom/],
    [fastifyError('FST_SOMETHING', 503), 'ARGUS_E_INTERNAL', 500, /m/],
  ])('%s -> %s', (err, code, status, message) => {
    const e = toHttpError(err, req, limits);
    expect([e.code, e.status]).toEqual([code, status]);
    expect(e.message).toMatch(message);
  });
});

describe('roleAllows', () => {
  it('orders viewer < operator < admin', () => {
    expect(roleAllows('admin', 'viewer')).toBe(true);
    expect(roleAllows('operator', 'operator')).toBe(true);
    expect(roleAllows('operator', 'admin')).toBe(false);
    expect(roleAllows('viewer', 'operator')).toBe(false);
  });
});
