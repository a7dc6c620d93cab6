import { MULTIPART, validatorCompiler } from '../../../src/http/validator';

/** Bodies are checked as sent (no coercion, unknown fields refused); query strings are coerced. */
const compile = validatorCompiler();
const schema = {
  type: 'object',
  properties: { n: { type: 'integer' }, s: { type: 'string' } },
  additionalProperties: false,
};
type Validate = (data: unknown) => true | { error: Error };
const validator = (httpPart: string, s: object = schema) =>
  compile({ schema: s, httpPart, method: 'POST', url: '/x' }) as unknown as Validate;

describe('validatorCompiler', () => {
  it('refuses a number sent as text in a JSON body, and unknown fields', () => {
    const body = validator('body');
    expect(body({ n: 5, s: 'x' })).toBe(true);
    const coerced = body({ n: '5' });
    expect(coerced).not.toBe(true);
    expect((coerced as { error: Error }).error.message).toBe('body/n must be integer');
    const unknown = body({ n: 5, colour: 'red' }) as { error: Error & { validation?: unknown } };
    expect(unknown.error.message).toBe('body has an unknown field "colour"');
    expect(unknown.error.validation).toBeDefined();
  });

  it('coerces query strings and path parameters, and still refuses unknown ones', () => {
    const query = validator('querystring');
    const data: Record<string, unknown> = { n: '5' };
    expect(query(data)).toBe(true);
    expect(data.n).toBe(5);
    expect(query({ n: 'five' })).not.toBe(true);
    expect(query({ other: '1' })).not.toBe(true);
  });

  it('leaves multipart bodies to their handler', () => {
    expect(validator('body', { ...schema, [MULTIPART]: true })(undefined)).toBe(true);
  });
});
