import { AccountChangeRefused, actorOf, newPassword } from '@beacon/accounts';
import { AccountId, Role } from '@beacon/events';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Auth } from './auth.js';

const Reason = z.object({ reason: z.string().max(500).optional() });
const NewAccount = z.object({
  user: AccountId,
  name: z.string().min(1).max(200),
  role: Role,
  kind: z.enum(['person', 'machine']).default('person'),
  agency: z.string().min(1).max(100).optional(),
  /** Left out for a person: one is made and shown once. */
  password: z.string().max(1000).optional(),
});
const NewToken = z.object({ label: z.string().max(200).optional() });
const NewPassword = z.object({ password: z.string().max(1000).optional() });

class BadRequest extends Error {
  readonly statusCode = 400;
}

function parse<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return parsed.data;
  throw new BadRequest(parsed.error.issues.map((issue) => `${issue.path.join('.') || 'body'}: ${issue.message}`).join('; '));
}

/**
 * Managing accounts over HTTP, for administrators (manage-accounts): open and close accounts,
 * issue and revoke tokens, set passwords. Every change is an event naming the administrator.
 * New passwords and tokens are in the answer once and never again.
 */
export const accountsPlugin: FastifyPluginAsync<{ auth: Auth }> = async (app, { auth }) => {
  const { accounts } = auth;
  app.addHook('preHandler', auth.requires('manage-accounts'));
  app.setErrorHandler((error, request, reply) => {
    if (error instanceof AccountChangeRefused || error instanceof BadRequest) return reply.code(400).send({ status: 'bad-request', message: error.message });
    const statusCode = (error as { statusCode?: number }).statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) return reply.code(statusCode).send({ status: 'bad-request', message: (error as Error).message });
    request.log.error({ err: error }, 'an account change failed');
    return reply.code(500).send({ status: 'error', message: 'Beacon failed to change the account; nothing was changed. Try again.' });
  });
  const by = (request: FastifyRequest) => actorOf(request.actor as NonNullable<FastifyRequest['actor']>);
  const params = (request: FastifyRequest) => request.params as Record<string, string>;

  app.get('/accounts', async () => {
    const list = await accounts.list();
    return Promise.all(list.map(async (account) => ({ ...account, tokens: await accounts.tokensOf(account.accountId) })));
  });

  app.post('/accounts', async (request, reply) => {
    const input = parse(NewAccount, request.body);
    const password = input.kind === 'person' ? (input.password ?? newPassword()) : undefined;
    const { user, name, role, kind, agency } = input;
    await accounts.openAccount({ accountId: user, name, role, kind, ...(agency !== undefined && { agency }), ...(password !== undefined && { password }) }, by(request));
    return reply.code(201).send({ status: 'opened', user, ...(password !== undefined && input.password === undefined && { password }) });
  });

  app.post('/accounts/:user/tokens', async (request, reply) => {
    const { label } = parse(NewToken, request.body);
    const { token, tokenId } = await accounts.issueToken(params(request).user ?? '', by(request), label);
    return reply.code(201).send({ status: 'issued', tokenId, token, message: 'This token is shown once and never again: keep it safe.' });
  });

  app.post('/accounts/:user/password', async (request) => {
    const given = parse(NewPassword, request.body).password;
    const password = given ?? newPassword();
    await accounts.setPassword(params(request).user ?? '', password, by(request));
    return { status: 'password-set', ...(given === undefined && { password }) };
  });

  app.post('/tokens/:tokenId/revoke', async (request) => {
    await accounts.revokeToken(params(request).tokenId ?? '', by(request), parse(Reason, request.body).reason);
    return { status: 'revoked' };
  });

  app.post('/accounts/:user/close', async (request) => {
    await accounts.closeAccount(params(request).user ?? '', by(request), parse(Reason, request.body).reason);
    return { status: 'closed' };
  });
};
