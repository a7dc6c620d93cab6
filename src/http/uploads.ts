import type { FastifyRequest } from 'fastify';
import { ArgusError } from '../errors/argus-error';
import { badRequest, unsupportedMediaType } from './error-handler';

export interface UploadedFile {
  bytes: Buffer;
  /** The client's file name, cleaned; only a label in outcomes (the type comes from the bytes). */
  name: string;
}

export interface Upload {
  files: UploadedFile[];
  /** Text fields by name; a repeated field keeps every value in order. */
  fields: Map<string, string[]>;
}

export interface UploadRules {
  /** The one field name file parts may use. */
  fileField: string;
  /** Text fields accepted; any other is refused (like unknown JSON fields). */
  fields: readonly string[];
  minFiles: number;
  maxFiles: number;
  maxFileBytes: number;
}

const MAX_FIELD_BYTES = 64 * 1024;
const MAX_FIELDS = 64;
// biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
const UNSAFE_NAME = /[\u0000-\u001f\u007f/\\]/g;

/**
 * Reads a multipart/form-data request: file parts are buffered up to `maxFileBytes` each (more is
 * 413 before the rest is read), at most `maxFiles` of them; the caller's declared content type and
 * file name are never trusted (the gallery sniffs the bytes).
 */
export async function readUpload(req: FastifyRequest, rules: UploadRules): Promise<Upload> {
  if (!req.isMultipart()) {
    throw unsupportedMediaType(req.headers['content-type'], 'multipart/form-data');
  }
  const upload: Upload = { files: [], fields: new Map() };
  const limits = {
    fileSize: rules.maxFileBytes,
    files: rules.maxFiles,
    fields: MAX_FIELDS,
    fieldSize: MAX_FIELD_BYTES,
    parts: rules.maxFiles + MAX_FIELDS,
  };
  try {
    for await (const part of req.parts({ limits })) {
      if (part.type === 'file') {
        if (part.fieldname !== rules.fileField) {
          await part.toBuffer().catch(() => undefined);
          throw badRequest(
            `unknown file field "${clean(part.fieldname)}"; images go in "${rules.fileField}"`,
          );
        }
        const bytes = await part.toBuffer();
        const name = clean(part.filename) || `image ${upload.files.length + 1}`;
        upload.files.push({ bytes, name });
        continue;
      }
      if (!rules.fields.includes(part.fieldname)) {
        throw badRequest(`unknown field "${clean(part.fieldname)}"`);
      }
      if (part.valueTruncated) throw badRequest(`field "${part.fieldname}" is over ${MAX_FIELD_BYTES} bytes`);
      const value = typeof part.value === 'string' ? part.value : JSON.stringify(part.value);
      upload.fields.set(part.fieldname, [...(upload.fields.get(part.fieldname) ?? []), value]);
    }
  } catch (err) {
    if (err instanceof ArgusError) throw err;
    const code = (err as { code?: unknown }).code;
    // The plugin's own errors (limits) are mapped by the error handler; busboy's are malformed bodies.
    if (typeof code === 'string' && code.startsWith('FST_')) throw err;
    throw badRequest(`malformed multipart body: ${(err as Error).message ?? String(err)}`, err);
  }
  if (upload.files.length < rules.minFiles) {
    throw badRequest(`no image: send at least ${rules.minFiles} file part(s) named "${rules.fileField}"`);
  }
  return upload;
}

/** The single value of a text field (the last when repeated), or undefined. */
export function field(upload: Upload, name: string): string | undefined {
  const values = upload.fields.get(name);
  return values?.[values.length - 1];
}

function clean(name: string | undefined): string {
  return (name ?? '').replace(UNSAFE_NAME, '_').slice(0, 120);
}
