import type { Role } from '@beacon/events';

/**
 * Who may do what: the whole authorisation policy, as a table and one pure function. Every
 * endpoint asks `can` before it acts; nothing else decides.
 */

export const actions = ['submit-return', 'set-target', 'read-summary', 'read-feed', 'manage-accounts', 'read-audit'] as const;
export type Action = (typeof actions)[number];

export const roles: readonly Role[] = ['data-officer', 'analyst', 'strategy-group-viewer', 'feed-consumer', 'administrator'];

/** The roles that hold each action. An administrator sends no returns and sets no targets: every figure is someone's in their own role. */
export const policy: Readonly<Record<Action, readonly Role[]>> = {
  'submit-return': ['data-officer'],
  'set-target': ['analyst'],
  'read-summary': ['data-officer', 'analyst', 'strategy-group-viewer', 'administrator'],
  'read-feed': ['feed-consumer'],
  'manage-accounts': ['administrator'],
  'read-audit': ['analyst', 'administrator'],
};

/** Actions on an agency's data: the actor's agency must be the resource's. */
const agencyScoped: ReadonlySet<Action> = new Set(['submit-return']);

export const roleWords: Readonly<Record<Role, string>> = {
  'data-officer': 'data officer',
  analyst: 'analyst',
  'strategy-group-viewer': 'strategy group viewer',
  'feed-consumer': 'feed consumer',
  administrator: 'administrator',
};

const actionWords: Readonly<Record<Action, string>> = {
  'submit-return': 'send returns',
  'set-target': 'set or revise targets',
  'read-summary': 'read the summaries',
  'read-feed': 'read the feed',
  'manage-accounts': 'manage accounts',
  'read-audit': 'read the audit trail',
};

/** Who is asking, as far as the policy cares. */
export interface ActorInRole {
  accountId: string;
  role: Role;
  agency?: string | undefined;
}

/** What the action is on. */
export interface Resource {
  agency?: string | undefined;
  measure?: string | undefined;
  area?: string | undefined;
}

export type Decision = { allowed: true } | { allowed: false; reason: string };

/** "an analyst", "a data officer". */
export const an = (words: string) => (/^[aeiou]/.test(words) ? `an ${words}` : `a ${words}`);
const holders = (action: Action) => policy[action].map((role) => `${roleWords[role]}s`).join(' and ');

/** Whether the role holds the action for some resource: what a route checks before it reads the request's body. */
export function roleMay(role: Role, action: Action): Decision {
  if (policy[action].includes(role)) return { allowed: true };
  return { allowed: false, reason: `${an(roleWords[role])} may not ${actionWords[action]}: only ${holders(action)} may` };
}

/** Whether `actor` may do `action` on `resource`. An agency-scoped action with no agency named is refused. */
export function can(actor: ActorInRole, action: Action, resource: Resource = {}): Decision {
  const held = roleMay(actor.role, action);
  if (!held.allowed || !agencyScoped.has(action)) return held;
  if (resource.agency === undefined) return { allowed: false, reason: `${actionWords[action]} needs the agency it is for` };
  if (actor.agency !== resource.agency) {
    return {
      allowed: false,
      reason: `${actor.accountId} is a data officer of ${actor.agency ?? 'no agency'} and may ${actionWords[action]} for ${actor.agency ?? 'no agency'} only, not for ${resource.agency}`,
    };
  }
  return held;
}
