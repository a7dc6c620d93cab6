/** Everything the audit log records; a new kind of action is added here first. */
export const AUDIT_ACTIONS = [
  'identity.enrol',
  'identity.template.add',
  'identity.template.remove',
  'identity.delete',
  'gallery.search',
  'gallery.import',
  'alert.review',
  'alert.crop.view',
  'settings.match.update',
  'key.create',
  'key.revoke',
  'stream.create',
  'stream.update',
  'stream.delete',
  'stream.start',
  'stream.stop',
  'retention.purge',
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];
