import { BaselineSchema, PopulationBaseSchema, TargetSourceSchema, ToleranceSchema } from '@beacon/catalogue';
import { z } from 'zod';
import { Actor, eventBasics, RecordedAt } from './common.js';

/**
 * The events of Beacon, at their current schema versions. A type's version changes whenever its
 * data changes shape; older stored versions are brought up to date by the upcasters in
 * `upcasters.ts` before they are validated here.
 */

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a SHA-256 digest in lower-case hex');
const ReadingRef = z.object({ returnId: z.string().min(1), row: z.int().positive(), value: z.number() });

/** A data officer's return was accepted whole; its readings follow in the same stream and append. */
export const ReturnReceived = z.object({
  ...eventBasics,
  returnId: z.string().min(1),
  agency: z.string().min(1),
  fileName: z.string().min(1),
  sha256: Sha256,
  format: z.enum(['csv', 'xlsx']),
  readingCount: z.int().nonnegative(),
});

/** One row of a return: the value of a measure for an area over a period. */
export const ReadingRecorded = z.object({
  ...eventBasics,
  returnId: z.string().min(1),
  /** Row number as the spreadsheet shows it, so a reader can find the figure in the file. */
  row: z.int().positive(),
  measureId: z.string().min(1),
  /** The id as the agency wrote it when it was an alias (e.g. NI95 for NI195). */
  submittedMeasureId: z.string().min(1).optional(),
  area: z.string().min(1),
  agency: z.string().min(1),
  value: z.number(),
  numerator: z.number().nonnegative().optional(),
  denominator: z.number().positive().optional(),
  sampleSize: z.int().positive().optional(),
  note: z.string().optional(),
});

/** A later reading for the same measure, area and period replaced an earlier one, which stays in history. */
export const ReadingSuperseded = z.object({
  ...eventBasics,
  measureId: z.string().min(1),
  area: z.string().min(1),
  superseded: ReadingRef,
  by: ReadingRef,
  reason: z.string().optional(),
});

const TargetValue = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('value'), value: z.number() }),
  /** Plan targets such as "reduce the number of NTE violence offences": rated against the baseline. */
  z.object({ kind: z.literal('direction'), direction: z.enum(['reduce', 'increase']) }),
]);

/** A target was set or revised for the period it applies to (`period`); a revision has a higher version. */
export const TargetSet = z.object({
  ...eventBasics,
  targetId: z.string().min(1),
  version: z.int().positive(),
  measureId: z.string().min(1),
  area: z.string().min(1),
  target: TargetValue,
  source: TargetSourceSchema,
  /** Absent when the plan gives none: the projector then takes it from readings. */
  baseline: BaselineSchema.optional(),
  /** The Amber band for this target; absent means the measure's own tolerance. */
  tolerance: ToleranceSchema.optional(),
  note: z.string().optional(),
});

/** The population of an area for a year (the `period`), the denominator of count-based rates. */
export const PopulationRecorded = z.object({
  ...eventBasics,
  area: z.string().min(1),
  /** Whose population: all ages (crime rates per 1,000) or aged 10-17 (NI 111). */
  base: PopulationBaseSchema,
  population: z.int().positive(),
  source: z.string().min(1),
  /** True for figures that only illustrate (e.g. a borough split of the plan's combined total). */
  illustrative: z.boolean(),
  /** True for a projection (e.g. the plan's 212,500 by 2016) rather than an estimate. */
  projected: z.boolean(),
});

// ---------------------------------------------------------------------------------------------
// Accounts: who may do what. They describe no period of the partnership's figures, so unlike the
// events above they carry only when Beacon recorded them and who did it.
// ---------------------------------------------------------------------------------------------

const accountBasics = { recordedAt: RecordedAt, actor: Actor };

/** A Beacon user name: what people sign in with and what every event they cause names them by. */
export const AccountId = z
  .string()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, 'a user name of lower-case letters, digits, ".", "_" or "-", at most 63 characters');

/**
 * What an account may do (the table of actions is in @beacon/accounts): a data officer sends its
 * agency's returns; an analyst sets and revises targets; a strategy-group viewer only reads; a feed
 * consumer is a machine that reads the feed; an administrator manages accounts and reads the audit.
 */
export const Role = z.enum(['data-officer', 'analyst', 'strategy-group-viewer', 'feed-consumer', 'administrator']);
export type Role = z.infer<typeof Role>;

/** An account was opened. A data officer belongs to exactly one agency, and sends returns for it only. */
export const AccountOpened = z
  .object({
    ...accountBasics,
    accountId: AccountId,
    name: z.string().min(1).max(200),
    role: Role,
    /** A person signs in with a password; a machine (a feed consumer, an agency's upload script) only has tokens. */
    kind: z.enum(['person', 'machine']),
    agency: z.string().min(1).optional(),
  })
  .refine((account) => (account.role === 'data-officer') === (account.agency !== undefined), {
    message: 'a data officer needs an agency, and only a data officer has one',
    path: ['agency'],
  });

/** A person's password was set: only its scrypt hash is stored ("scrypt$N$r$p$salt$hash", base64url). */
export const PasswordSet = z.object({
  ...accountBasics,
  accountId: AccountId,
  passwordHash: z.string().regex(/^scrypt\$\d+\$\d+\$\d+\$[A-Za-z0-9_-]+\$[A-Za-z0-9_-]+$/, 'an scrypt hash'),
});

/** An API token was issued to an account. The token itself was shown once and is not stored: only its SHA-256. */
export const ApiTokenIssued = z.object({
  ...accountBasics,
  accountId: AccountId,
  /** The token's first characters ("beacon_" and 8 more): how people and the audit refer to it. */
  tokenId: z.string().regex(/^beacon_[A-Za-z0-9_-]{8}$/, 'a token prefix: "beacon_" and 8 characters'),
  sha256: Sha256,
  label: z.string().max(200).optional(),
});

/** A token can no longer be used, from the moment this is recorded. */
export const TokenRevoked = z.object({
  ...accountBasics,
  accountId: AccountId,
  tokenId: z.string().min(1),
  reason: z.string().max(500).optional(),
});

/** An account was closed: its password and tokens no longer work. Its past events still name it. */
export const AccountClosed = z.object({
  ...accountBasics,
  accountId: AccountId,
  reason: z.string().max(500).optional(),
});

/**
 * Beacon refused a request (no, wrong or revoked credentials, or the wrong role or agency; or too
 * many). `actor` is Beacon, which recorded it; `attempt` says who tried, as far as Beacon could tell.
 */
export const AccessRefused = z.object({
  ...accountBasics,
  status: z.union([z.literal(401), z.literal(403), z.literal(429)]),
  /** An action of the policy (submit-return, set-target, ...) or sign-in. */
  action: z.string().min(1).max(40),
  reason: z.string().min(1).max(500),
  attempt: z.object({
    credential: z.enum(['none', 'token', 'session', 'password']),
    /** The account, when the credential was good but not enough (403, 429) or a sign-in named one. */
    accountId: z.string().max(100).optional(),
    tokenId: z.string().max(40).optional(),
    remoteAddress: z.string().max(100),
    method: z.string().max(10),
    /** Without the query, which may hold a CSRF token. */
    path: z.string().max(300),
  }),
  /** What it was about: the agency of a return, the measure of a target. */
  resource: z.object({ agency: z.string().max(100).optional(), measure: z.string().max(100).optional(), area: z.string().max(100).optional() }).optional(),
  /** Refusals from the same address that were counted but not recorded one by one (a flood). */
  alsoRefused: z.int().positive().optional(),
});

/** Every event type with its current schema version. */
export const beaconEvents = {
  ReturnReceived: { version: 1, schema: ReturnReceived },
  ReadingRecorded: { version: 1, schema: ReadingRecorded },
  ReadingSuperseded: { version: 1, schema: ReadingSuperseded },
  TargetSet: { version: 1, schema: TargetSet },
  PopulationRecorded: { version: 2, schema: PopulationRecorded },
  AccountOpened: { version: 1, schema: AccountOpened },
  PasswordSet: { version: 1, schema: PasswordSet },
  ApiTokenIssued: { version: 1, schema: ApiTokenIssued },
  TokenRevoked: { version: 1, schema: TokenRevoked },
  AccountClosed: { version: 1, schema: AccountClosed },
  AccessRefused: { version: 1, schema: AccessRefused },
} as const;

type Events = typeof beaconEvents;
export type BeaconEventType = keyof Events;
export type EventData<T extends BeaconEventType> = z.infer<Events[T]['schema']>;
/** A Beacon event in the shape domain code handles: its type and its (current-version) data. */
export type BeaconEvent = { [T in BeaconEventType]: { type: T; data: EventData<T> } }[BeaconEventType];
export type EventOfType<T extends BeaconEventType> = Extract<BeaconEvent, { type: T }>;
