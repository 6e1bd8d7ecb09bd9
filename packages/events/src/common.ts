import { PeriodSchema } from '@beacon/catalogue';
import { z } from 'zod';

/** When Beacon recorded the fact (transaction time): what "as at" reports cut on. */
export const RecordedAt = z.iso.datetime({ offset: true });

/** Who caused the event: a person (a data officer, an analyst) or Beacon itself (e.g. loading the catalogue). */
export const Actor = z.object({
  kind: z.enum(['person', 'system']),
  id: z.string().min(1),
  name: z.string().min(1).optional(),
  agency: z.string().min(1).optional(),
});
export type Actor = z.infer<typeof Actor>;

/** Fields every Beacon event carries: `period` is what the event describes (valid time); `recordedAt` when Beacon learnt it. */
export const eventBasics = { period: PeriodSchema, recordedAt: RecordedAt, actor: Actor };
