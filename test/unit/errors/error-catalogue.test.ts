import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { ArgusError, isArgusError, toArgusError } from '../../../src/errors/argus-error';
import { ERROR_CATALOGUE, type ErrorCode } from '../../../src/errors/error-catalogue';

// Read from the catalogue at run time: a code added later is covered without editing this file.
const CODES = Object.keys(ERROR_CATALOGUE) as ErrorCode[];
const DOC_PATH = path.resolve(__dirname, '../../../docs/errors.md');
const DOC = readFileSync(DOC_PATH, 'utf8');
const CODE_RE = /\bARGUS_E_[A-Z0-9_]+\b/g;

/** Codes named in a Markdown heading or a table row: the places that count as documenting a code. */
function documentedCodes(markdown: string): Set<string> {
  const found = new Set<string>();
  for (const line of markdown.split('\n')) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('#') && !trimmed.startsWith('|')) continue;
    for (const m of trimmed.matchAll(CODE_RE)) found.add(m[0]);
  }
  return found;
}

/** Summary-table rows whose first cell is a code: code -> the remaining cells. */
function tableRows(markdown: string): Map<string, string[]> {
  const rows = new Map<string, string[]>();
  for (const line of markdown.split('\n')) {
    if (!line.trim().startsWith('|')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    const code = cells[0]?.match(CODE_RE)?.[0];
    if (code !== undefined) rows.set(code, cells.slice(1));
  }
  return rows;
}

function placeholders(template: string): string[] {
  return [...template.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
}

describe('error catalogue', () => {
  it('has stable-looking codes, 4xx/5xx statuses and a boolean retryable flag', () => {
    expect(CODES.length).toBeGreaterThan(0);
    for (const code of CODES) {
      const entry = ERROR_CATALOGUE[code];
      expect(code).toMatch(/^ARGUS_E_[A-Z0-9_]+$/);
      // An object carrying the code, so a failure names the entry at fault.
      expect({
        code,
        status: Number.isInteger(entry.status) && entry.status >= 400 && entry.status <= 599,
      }).toEqual({
        code,
        status: true,
      });
      expect(typeof entry.retryable).toBe('boolean');
      expect(entry.message.trim()).not.toBe('');
    }
  });

  it('documents every code in docs/errors.md, in a heading or a table cell', () => {
    const documented = documentedCodes(DOC);
    const undocumented = CODES.filter((code) => !documented.has(code));
    expect(undocumented).toEqual([]);
  });

  it('documents no code that the catalogue lacks', () => {
    const known = new Set<string>(CODES);
    const mentioned = new Set([...DOC.matchAll(CODE_RE)].map((m) => m[0]));
    const unknown = [...mentioned].filter((code) => !known.has(code));
    expect(unknown).toEqual([]);
  });

  it('gives the same status and retryable flag in the docs table as the catalogue', () => {
    const rows = tableRows(DOC);
    for (const code of CODES) {
      const cells = rows.get(code);
      if (cells === undefined) continue;
      const entry = ERROR_CATALOGUE[code];
      expect({ code, status: cells[0], retryable: cells[1] }).toEqual({
        code,
        status: String(entry.status),
        retryable: entry.retryable ? 'yes' : 'no',
      });
    }
  });

  it('fills in every placeholder of every message template from the details', () => {
    const unfilled: string[] = [];
    for (const code of CODES) {
      const names = placeholders(ERROR_CATALOGUE[code].message);
      const details = Object.fromEntries(names.map((name) => [name, `<${name}-value>`]));
      const err = new ArgusError(code, details);
      if (/\{\w+\}/.test(err.message)) unfilled.push(`${code}: ${err.message}`);
      for (const name of names) {
        if (!err.message.includes(`<${name}-value>`)) unfilled.push(`${code}: {${name}} not filled`);
      }
      expect({ code, status: err.status, retryable: err.retryable }).toEqual({
        code,
        status: ERROR_CATALOGUE[code].status,
        retryable: ERROR_CATALOGUE[code].retryable,
      });
    }
    expect(unfilled).toEqual([]);
  });
});

describe('ArgusError', () => {
  it('keeps its cause, code and details, and serializes to code and message only', () => {
    const cause = new Error('EACCES: permission denied');
    const err = new ArgusError(
      'ARGUS_E_CONFIG_UNREADABLE',
      { path: '/etc/argus.json', reason: 'EACCES' },
      { cause },
    );
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('ArgusError');
    expect(err.cause).toBe(cause);
    expect(err.code).toBe('ARGUS_E_CONFIG_UNREADABLE');
    expect(err.details).toEqual({ path: '/etc/argus.json', reason: 'EACCES' });
    expect(err.message).toBe('Cannot read configuration file /etc/argus.json: EACCES');
    expect(JSON.parse(JSON.stringify(err))).toEqual({ code: err.code, message: err.message });
  });

  it('leaves a placeholder visible when its detail is missing, rather than printing "undefined"', () => {
    const err = new ArgusError('ARGUS_E_FILE_NOT_FOUND');
    expect(err.message).toBe('File not found: {path}');
  });
});

describe('toArgusError', () => {
  it('returns an ArgusError unchanged', () => {
    const err = new ArgusError('ARGUS_E_POOL_CLOSED');
    expect(toArgusError(err)).toBe(err);
  });

  it.each([
    ['an Error', new TypeError('x is not a function'), 'x is not a function'],
    ['a string', 'plain string thrown', 'plain string thrown'],
    ['a number', 42, '42'],
    ['undefined', undefined, 'undefined'],
  ])('wraps %s as ARGUS_E_INTERNAL and keeps it as the cause', (_label, thrown, reason) => {
    const err = toArgusError(thrown);
    expect(isArgusError(err, 'ARGUS_E_INTERNAL')).toBe(true);
    expect(err.message).toBe(`Internal error: ${reason}`);
    expect(err.cause).toBe(thrown);
    expect(err.status).toBe(500);
  });
});
