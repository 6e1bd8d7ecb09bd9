import type { Catalogue } from '@beacon/catalogue';
import type { GroupSummary, MeasureStatus, Summary } from '@beacon/reports';
import type { FeedMessage } from '@beacon/feed-publisher';
import { FEED_SCHEMA_VERSION, FEED_TOPIC, type FeedMeasure, type FeedMessageValue } from './message.js';

/** What a message is about: the Kafka key, so compaction keeps the latest revision of each. */
export const feedKey = (partnership: string, area: string, month: string, kind: 'priority_area' | 'psa', id: string) => `${partnership}/${area}/${month}/${kind === 'psa' ? 'psa' : 'priority-area'}/${id}`;

/** A feed message before it is numbered: revision and changes are the reporter's to add. */
export type FeedContent = Omit<FeedMessageValue, 'revision' | 'changes'>;

function feedMeasure(catalogue: Catalogue, status: MeasureStatus): FeedMeasure {
  const measure = catalogue.measureById(status.measureId)?.measure;
  const rated = status.ratedOn === 'rolling' ? status.rolling : status.yearToDate;
  const target = status.provenance.target;
  const trend = (t: NonNullable<MeasureStatus['travel']>['short']) =>
    t ? { direction: t.direction, comparedWith: t.comparedWith, change: t.change, significant: t.significant } : null;
  return {
    id: status.measureId,
    name: status.name,
    unit: status.unit,
    kentAgreement: measure?.kentAgreement ?? false,
    value: rated?.value ?? null,
    ratedOn: status.ratedOn,
    period: rated?.period ?? null,
    interval: rated?.interval ?? null,
    target: target
      ? {
          id: target.id,
          version: target.version,
          kind: target.kind,
          value: target.value,
          direction: target.direction,
          period: target.period,
          carriedForward: target.carriedForward,
          inheritedFrom: target.inheritedFrom,
        }
      : null,
    trajectory: status.rag.comparator?.kind === 'trajectory' ? status.rag.comparator.value : null,
    rag: status.rag.status,
    rule: status.rag.rule,
    reason: status.rag.reason,
    directionOfTravel: { shortTerm: trend(status.travel?.short ?? null), longTerm: trend(status.travel?.long ?? null) },
    returnIds: [...new Set(status.provenance.readings.map((r) => r.returnId))].sort(),
  };
}

/**
 * The month's feed messages for one area, from its summary: one per priority area and one per
 * PSA. Built only from the summary, which is built only from the log as at `summary.asAt`, so
 * the same log and moment always give the same bytes.
 */
export function feedContents(catalogue: Catalogue, summary: Summary, asAt: string): Array<{ key: string; period: string; content: FeedContent }> {
  const area = catalogue.area(summary.area.id);
  if (!area) throw new RangeError(`unknown area ${summary.area.id}`);
  const partnership = area.kind === 'partnership' ? area : catalogue.areas.find((a) => a.kind === 'partnership' && a.members.includes(area.id));
  if (!partnership) throw new RangeError(`area ${area.id} belongs to no partnership`);
  const month = summary.date.slice(0, 7);
  const byId = new Map(summary.measures.map((m) => [m.measureId, m]));
  const message = (kind: 'priority_area' | 'psa', group: GroupSummary, psas: string[]) => ({
    key: feedKey(partnership.id, area.id, month, kind, group.id),
    period: month,
    content: {
      schemaVersion: FEED_SCHEMA_VERSION,
      partnership: { id: partnership.id, name: partnership.name },
      area: { id: area.id, name: area.name, kind: area.kind },
      period: { month, start: `${month}-01`, end: summary.date },
      subject: { kind, id: group.id, name: group.name },
      rag: { status: group.rollUp.status, rule: group.rollUp.rule, counts: group.rollUp.counts, reason: group.rollUp.reason },
      psas,
      measures: group.measureIds.flatMap((id) => {
        const status = byId.get(id);
        return status ? [feedMeasure(catalogue, status)] : [];
      }),
      asAt,
    } satisfies FeedContent,
  });
  return [
    ...summary.priorityAreas.map((group) => message('priority_area', group, [...(catalogue.priorityArea(group.id)?.psas ?? [])])),
    ...summary.psas.map((group) => message('psa', group, [group.id])),
  ];
}

/** What changed between two revisions' contents, in words a consumer can show. */
export function changesBetween(was: FeedContent, now: FeedContent): FeedMessageValue['changes'] {
  const changes: FeedMessageValue['changes'] = [];
  if (was.rag.status !== now.rag.status) changes.push({ what: `${now.subject.name}: RAG`, was: was.rag.status, now: now.rag.status });
  const before = new Map(was.measures.map((m) => [m.id, m]));
  for (const m of now.measures) {
    const old = before.get(m.id);
    if (!old) continue;
    if (old.value !== m.value) changes.push({ what: `${m.id}: value`, was: old.value, now: m.value });
    if (old.rag !== m.rag) changes.push({ what: `${m.id}: RAG`, was: old.rag, now: m.rag });
    if (old.target?.version !== m.target?.version) changes.push({ what: `${m.id}: target version`, was: old.target?.version ?? null, now: m.target?.version ?? null });
  }
  return changes;
}

/** The message as the outbox takes it. */
export const asFeedMessage = (key: string, period: string, value: FeedMessageValue, topic = FEED_TOPIC): FeedMessage<FeedMessageValue> => ({
  topic,
  key,
  period,
  revision: value.revision,
  value,
});
