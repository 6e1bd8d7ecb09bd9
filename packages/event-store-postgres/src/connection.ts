import { StoreUnavailable } from '@beacon/event-store';
import pg from 'pg';

export interface ServerAddress {
  host: string;
  port: number;
  database: string;
  user: string;
}

/** Where a connection string leads, as pg resolves it (PGHOST and the like fill what it leaves out). */
export function addressOf(connectionString: string): ServerAddress {
  const client = new pg.Client({ connectionString });
  return { host: client.host, port: client.port, database: client.database ?? '', user: client.user ?? '' };
}

/** For messages: never the password. */
export const describeAddress = ({ host, port, database, user }: ServerAddress) =>
  `PostgreSQL database "${database}" on ${host}:${port} as user "${user}"`;

/**
 * A failed first connection as a StoreUnavailable that says what to do, or the error itself
 * when it is none of the known cases.
 */
export function connectionFailure(error: unknown, address: ServerAddress): unknown {
  if (!(error instanceof Error)) return error;
  const location = describeAddress(address);
  const reason = connectionProblem(error, address);
  return reason === undefined ? error : Object.assign(new StoreUnavailable(location, reason), { cause: error });
}

/** What went wrong connecting, and what to do, in words; undefined when it is none of the known cases. */
export function connectionProblem(error: Error & { code?: string }, { database, user, host, port }: ServerAddress): string | undefined {
  const server = `${host}:${port}`;
  switch (error.code) {
    case 'ECONNREFUSED':
      return `no PostgreSQL server is listening on ${server} (connection refused). Start PostgreSQL there, or correct the host and port in the connection string.`;
    case 'ENOENT':
      return `there is no PostgreSQL socket in ${host} (port ${port}). Start PostgreSQL, or correct the host in the connection string.`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the host name "${host}" could not be resolved. Correct the host in the connection string.`;
    case 'ETIMEDOUT':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return `nothing answered on ${server} (${error.code}). Check that the server is up and that a firewall lets port ${port} through.`;
    // invalid_password, and invalid_authorization_specification (no such role, or pg_hba.conf refuses it)
    case '28P01':
    case '28000':
      return `the server refused user "${user}" (${error.message}). Check the user name and password in the connection string, and the server's pg_hba.conf.`;
    // invalid_catalog_name
    case '3D000':
      return `the database "${database}" does not exist on ${server}. Create it (createdb -h ${host} -p ${port} -U ${user} ${database}) or correct the database name in the connection string.`;
    // cannot_connect_now: starting up, shutting down, in recovery
    case '57P03':
      return `the server on ${server} is not accepting connections yet (${error.message}). Try again in a moment.`;
    // insufficient_privilege, e.g. no CONNECT privilege on the database
    case '42501':
      return `user "${user}" may not use the database "${database}" (${error.message}). Grant it CONNECT and CREATE, or use another user.`;
  }
  if (/timeout expired|Connection terminated due to connection timeout/i.test(error.message)) {
    return `nothing answered on ${server} in time. Check that the server is up and that a firewall lets port ${port} through.`;
  }
  return undefined;
}
