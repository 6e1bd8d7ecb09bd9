import { actorOf } from '@beacon/accounts';
import { BaselineSchema, type Catalogue, type Period, PeriodSchema, TargetSourceSchema, ToleranceSchema } from '@beacon/catalogue';
import { type EventStore, StreamRevisionConflict } from '@beacon/event-store';
import { type Actor, type EventData, eventId, fromStoredEvent, streamOf, toEventToAppend } from '@beacon/events';
import type { Auth } from '@beacon/http-auth';
import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';

/** What an analyst sends to set a target or revise one: a value or a direction, and optionally the Amber tolerance. */
export const TargetRevision = z
  .strictObject({
    measure: z.string().min(1).max(100),
    area: z.string().min(1).max(100),
    period: PeriodSchema,
    value: z.number().optional(),
    direction: z.enum(['reduce', 'increase']).optional(),
    tolerance: ToleranceSchema.optional(),
    source: TargetSourceSchema.optional(),
    baseline: BaselineSchema.optional(),
    note: z.string().max(1000).optional(),
    /** The version the analyst is revising, as they last saw it: refused if another has been recorded since. */
    revises: z.int().positive().optional(),
  })
  .refine((t) => (t.value === undefined) !== (t.direction === undefined), { message: 'give either a value or a direction (reduce or increase), not both', path: ['value'] });

export type TargetRevision = z.infer<typeof TargetRevision>;

/** A target that cannot be recorded as asked: 400 (the request is wrong) or 409 (another revision came first). Nothing was recorded. */
export class TargetNotTaken extends Error {
  override readonly name = 'TargetNotTaken';
  constructor(
    readonly statusCode: 400 | 409,
    message: string,
  ) {
    super(message);
  }
}

type TargetSetData = EventData<'TargetSet'>;

export interface TargetsPluginOptions {
  store: EventStore;
  catalogue: Catalogue;
  auth: Auth;
  now?: () => Date;
}

/** A version of a target as an answer shows it. */
const shown = (t: TargetSetData) => ({ version: t.version, target: t.target, tolerance: t.tolerance ?? null, recordedAt: t.recordedAt, by: t.actor.id });

export interface TargetRecorded {
  targetId: string;
  measure: string;
  area: string;
  period: Period;
  was: ReturnType<typeof shown> | null;
  now: ReturnType<typeof shown>;
}

/**
 * Records a target set or revised by `actor` (an analyst: the caller has checked): a TargetSet
 * with the next version of the target found by measure, area and period (the catalogue's, or
 * one set before), recorded now. Throws TargetNotTaken, having recorded nothing, for a request
 * that is wrong (400) or a revision that another beat to it (409).
 */
export async function recordTarget(
  { store, catalogue, now = () => new Date() }: Pick<TargetsPluginOptions, 'store' | 'catalogue' | 'now'>,
  request: unknown,
  actor: Actor,
): Promise<TargetRecorded> {
  const parsed = TargetRevision.safeParse(request ?? {});
  if (!parsed.success) throw new TargetNotTaken(400, parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
  const input = parsed.data;
  const measure = catalogue.measureById(input.measure)?.measure;
  if (!measure) throw new TargetNotTaken(400, `measure: "${input.measure}" is not a measure in Beacon's catalogue`);
  if (!catalogue.area(input.area)) throw new TargetNotTaken(400, `area: "${input.area}" is not an area Beacon knows`);
  const { min, max } = measure.validRange;
  if (input.value !== undefined && ((min !== undefined && input.value < min) || (max !== undefined && input.value > max))) {
    throw new TargetNotTaken(400, `value: ${input.value} is outside what ${measure.id} can be (${min ?? '-∞'} to ${max ?? '∞'})`);
  }

  const { period } = input;
  const targetId =
    catalogue.targets.find((t) => t.measure === measure.id && t.area === input.area && t.period.start === period.start && t.period.end === period.end)?.id ??
    `${measure.id}-${input.area}-${period.start}-${period.end}`;
  const stream = streamOf.target(targetId);
  const history = (await store.readStream(stream)).map(fromStoredEvent);
  const previous = history.findLast((event) => event.type === 'TargetSet')?.data as TargetSetData | undefined;
  const revision = history.at(-1)?.revision;
  if (input.revises !== undefined && input.revises !== (previous?.version ?? 0)) {
    throw new TargetNotTaken(409, `target ${targetId} is at version ${previous?.version ?? 'none'}, not ${input.revises}: look at it again, then send your revision`);
  }

  const version = (previous?.version ?? 0) + 1;
  const baseline = input.baseline ?? previous?.baseline;
  const tolerance = input.tolerance ?? previous?.tolerance;
  const data: TargetSetData = {
    targetId,
    version,
    measureId: measure.id,
    area: input.area,
    target: input.direction !== undefined ? { kind: 'direction', direction: input.direction } : { kind: 'value', value: input.value as number },
    source: input.source ?? previous?.source ?? 'local',
    ...(baseline && { baseline }),
    ...(tolerance && { tolerance }),
    ...(input.note && { note: input.note }),
    period,
    recordedAt: now().toISOString(),
    actor,
  };
  try {
    await store.append(stream, [toEventToAppend({ type: 'TargetSet', data }, eventId('target', targetId, 'version', version))], { expectedRevision: revision ?? 'no_stream' });
  } catch (error) {
    if (error instanceof StreamRevisionConflict) throw new TargetNotTaken(409, `target ${targetId} was revised by someone else a moment ago: look at it again, then send your revision`);
    throw error;
  }
  return { targetId, measure: measure.id, area: input.area, period, was: previous ? shown(previous) : null, now: shown(data) };
}

/**
 * `POST /targets`: analysts set and revise targets and their tolerances (`recordTarget`). Each is
 * a TargetSet event naming the analyst, with the next version of the target and the time it was
 * recorded, so a report "as at" any moment uses the targets in force then.
 */
export const targetsPlugin: FastifyPluginAsync<TargetsPluginOptions> = async (app, { store, catalogue, auth, now = () => new Date() }) => {
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof TargetNotTaken) return reply.code(error.statusCode).send({ status: error.statusCode === 409 ? 'conflict' : 'bad-request', message: error.message });
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return reply.code(statusCode).send({ status: 'bad-request', message: (error as Error).message });
    request.log.error({ err: error }, 'a target could not be recorded');
    return reply.code(500).send({ status: 'error', message: 'Beacon failed to record the target; nothing was recorded. Send it again.' });
  });

  app.post('/targets', { preHandler: auth.requires('set-target'), bodyLimit: 16 * 1024 }, async (request, reply) => {
    const recorded = await recordTarget({ store, catalogue, now }, request.body, actorOf(request.actor as NonNullable<typeof request.actor>));
    return reply.code(201).send({ status: 'recorded', ...recorded });
  });
};
