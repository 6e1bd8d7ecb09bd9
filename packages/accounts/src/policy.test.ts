import type { Role } from '@beacon/events';
import { describe, expect, it } from 'vitest';
import { type Action, actions, can, roleMay, roles } from './policy.js';

/** The whole table, role by role: ✔ may, ✖ may not. Any change to the policy shows here. */
const expected: Record<Role, Record<Action, '✔' | '✖'>> = {
  'data-officer': { 'submit-return': '✔', 'set-target': '✖', 'read-summary': '✔', 'read-feed': '✖', 'manage-accounts': '✖', 'read-audit': '✖' },
  analyst: { 'submit-return': '✖', 'set-target': '✔', 'read-summary': '✔', 'read-feed': '✖', 'manage-accounts': '✖', 'read-audit': '✔' },
  'strategy-group-viewer': { 'submit-return': '✖', 'set-target': '✖', 'read-summary': '✔', 'read-feed': '✖', 'manage-accounts': '✖', 'read-audit': '✖' },
  'feed-consumer': { 'submit-return': '✖', 'set-target': '✖', 'read-summary': '✖', 'read-feed': '✔', 'manage-accounts': '✖', 'read-audit': '✖' },
  administrator: { 'submit-return': '✖', 'set-target': '✖', 'read-summary': '✔', 'read-feed': '✖', 'manage-accounts': '✔', 'read-audit': '✔' },
};

const actorIn = (role: Role) => ({ accountId: `someone.${role}`, role, ...(role === 'data-officer' && { agency: 'north-kent-police' }) });
/** The resource each action is asked about: a return of the data officer's own agency. */
const resourceOf = (action: Action) => (action === 'submit-return' ? { agency: 'north-kent-police' } : { measure: 'SAC' });

describe('the authorisation policy', () => {
  for (const role of roles) {
    describe(`a ${role}`, () => {
      for (const action of actions) {
        const allowed = expected[role][action] === '✔';
        it(`${allowed ? 'may' : 'may not'} ${action}`, () => {
          expect(can(actorIn(role), action, resourceOf(action)).allowed).toBe(allowed);
          expect(roleMay(role, action).allowed).toBe(allowed);
        });
      }
    });
  }

  it('says why in words: the role, the action, and who may', () => {
    expect(can(actorIn('strategy-group-viewer'), 'submit-return', { agency: 'north-kent-police' })).toEqual({
      allowed: false,
      reason: 'a strategy group viewer may not send returns: only data officers may',
    });
    expect(can(actorIn('data-officer'), 'read-audit')).toEqual({ allowed: false, reason: 'a data officer may not read the audit trail: only analysts and administrators may' });
  });

  describe("a data officer sends their own agency's returns only", () => {
    const officer = { accountId: 'nkp.officer', role: 'data-officer', agency: 'north-kent-police' } as const;

    it('is refused for another agency, naming both', () => {
      expect(can(officer, 'submit-return', { agency: 'kdaat' })).toEqual({
        allowed: false,
        reason: 'nkp.officer is a data officer of north-kent-police and may send returns for north-kent-police only, not for kdaat',
      });
    });

    it('is refused when the agency is not said: an agency-scoped action needs one', () => {
      expect(can(officer, 'submit-return', {})).toEqual({ allowed: false, reason: 'send returns needs the agency it is for' });
      expect(can(officer, 'submit-return')).toMatchObject({ allowed: false });
    });

    it('and a data officer with no agency on record may send for none', () => {
      expect(can({ accountId: 'odd', role: 'data-officer' }, 'submit-return', { agency: 'north-kent-police' }).allowed).toBe(false);
    });
  });
});
