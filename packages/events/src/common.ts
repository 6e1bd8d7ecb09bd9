import { z } from 'zod';

/** A calendar date as a data officer writes it in ISO form, e.g. 2009-03-31. */
export const IsoDate = z.iso.date();

/** The period a reading, target or population describes (valid time), both days inclusive. */
export const Period = z
  .object({ start: IsoDate, end: IsoDate })
  .refine((period) => period.start <= period.end, { message: 'period start must not be after its end', path: ['end'] });
export type Period = z.infer<typeof Period>;

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

/** Fields every Beacon event carries. */
export const eventBasics = { period: Period, recordedAt: RecordedAt, actor: Actor };
