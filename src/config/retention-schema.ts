import { z } from 'zod';

/** retention.* (part of the config schema): how long alert crops and records are kept. */
export const retentionSchema = z
  .strictObject({
    cropDays: z
      .number()
      .min(0)
      .max(3650)
      .default(7)
      .describe(
        'Days an alert keeps its face crop (JPEG), counted from the capture time. After that the crop file is deleted and the record stays without it. 0 deletes crops at the next purge.',
      ),
    recordDays: z
      .number()
      .min(0)
      .max(3650)
      .default(30)
      .describe(
        'Days an alert record (identity, score, review) is kept, counted from the capture time; it is then deleted with its crop. Reviews and the audit trail of who reviewed stay in the audit log.',
      ),
    intervalMinutes: z
      .number()
      .min(1)
      .max(1440)
      .default(60)
      .describe('Minutes between purges; one also runs at start-up.'),
  })
  .prefault({})
  .describe('Retention of alert crops and records (privacy: faces are kept only as long as needed).');

export type RetentionConfig = z.infer<typeof retentionSchema>;
