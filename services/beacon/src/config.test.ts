import { describe, expect, it } from 'vitest';
import { ConfigError, configFrom } from './config.js';

describe('configuration', () => {
  it('needs nothing for the embedded default', () => {
    expect(configFrom({})).toEqual({
      home: 'var',
      store: { kind: 'sqlite', file: 'var/events.sqlite' },
      readModels: { kind: 'sqlite', file: 'var/read-models.sqlite' },
      catalogueDir: undefined,
      feed: { kind: 'files', dir: 'var/feed' },
      feedTopic: 'beacon.performance.monthly',
      closeDay: 20,
      web: { port: 8324, chromium: '/usr/bin/chromium' },
      sessionKeyFile: 'var/session-key',
    });
  });

  it('serves the dashboard on the port given, 0 for any free one', () => {
    expect(configFrom({ BEACON_WEB_PORT: '0' }).web.port).toBe(0);
    expect(() => configFrom({ BEACON_WEB_PORT: 'eighty' })).toThrow(/BEACON_WEB_PORT="eighty"/);
  });

  it('sends the feed to Kafka when brokers are given, and checks the address', () => {
    expect(configFrom({ KAFKA_BROKERS: '127.0.0.1:19092,kafka2:9092' }).feed).toEqual({ kind: 'kafka', brokers: ['127.0.0.1:19092', 'kafka2:9092'] });
    expect(() => configFrom({ KAFKA_BROKERS: 'kafka' })).toThrow(/KAFKA_BROKERS="kafka": must be host:port/);
    expect(() => configFrom({ BEACON_MONTH_CLOSE_DAY: '31' })).toThrow(/BEACON_MONTH_CLOSE_DAY="31"/);
  });

  it('keeps the read models beside the store unless told otherwise', () => {
    expect(configFrom({ BEACON_HOME: '/srv/beacon' }).readModels).toEqual({ kind: 'sqlite', file: '/srv/beacon/read-models.sqlite' });
    expect(configFrom({ BEACON_READ_MODELS_FILE: '/fast/rm.sqlite' }).readModels).toEqual({ kind: 'sqlite', file: '/fast/rm.sqlite' });
    expect(configFrom({ BEACON_HOME: '/srv/beacon' }).sessionKeyFile).toBe('/srv/beacon/session-key');
    expect(configFrom({ BEACON_SESSION_KEY_FILE: '/etc/beacon/session-key' }).sessionKeyFile).toBe('/etc/beacon/session-key');
  });

  it('names the variable, its value and what is allowed', () => {
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(ConfigError);
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(/BEACON_STORE="mysql": must be sqlite \(the default\), postgres or eventstoredb/);
    expect(() => configFrom({ BEACON_STORE: 'postgres' })).toThrow(/BEACON_POSTGRES_URL is not set/);
    expect(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: 'postgres://beacon@db:5432/beacon' }).store).toEqual({
      kind: 'postgres',
      url: 'postgres://beacon@db:5432/beacon',
      schema: 'beacon',
    });
  });

  it('keeps the read models in the PostgreSQL store\'s database, in a schema of their own, unless told otherwise', () => {
    const url = 'postgres://beacon@db:5432/beacon';
    expect(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: url }).readModels).toEqual({ kind: 'postgres', url, schema: 'beacon_records' });
    expect(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: url, BEACON_POSTGRES_SCHEMA: 'kent', BEACON_READ_MODELS_SCHEMA: 'kent_reports' }).readModels).toEqual({
      kind: 'postgres',
      url,
      schema: 'kent_reports',
    });
    expect(configFrom({ BEACON_STORE: 'postgres', BEACON_POSTGRES_URL: url, BEACON_READ_MODELS: 'sqlite' }).readModels).toEqual({ kind: 'sqlite', file: 'var/read-models.sqlite' });
    // The embedded store with read models on a server: the server's address is needed.
    expect(() => configFrom({ BEACON_READ_MODELS: 'postgres' })).toThrow(/BEACON_POSTGRES_URL is not set: read models in PostgreSQL/);
    expect(() => configFrom({ BEACON_READ_MODELS: 'mysql' })).toThrow(/BEACON_READ_MODELS="mysql": must be sqlite or postgres/);
    expect(() => configFrom({ BEACON_READ_MODELS_SCHEMA: 'Drop Table' })).toThrow(/BEACON_READ_MODELS_SCHEMA="Drop Table": must be 1 to 40 lower-case/);
  });
});
