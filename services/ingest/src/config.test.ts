import { describe, expect, it } from 'vitest';
import { ConfigError, configFrom } from './config.js';

describe("the ingest service's configuration", () => {
  it('needs nothing: the embedded store of the beacon command, port 8321, 20 MiB uploads of 100,000 rows, 30 a minute', () => {
    expect(configFrom({})).toEqual({
      store: { kind: 'sqlite', file: 'var/events.sqlite' },
      catalogueDir: undefined,
      sessionKeyFile: 'var/session-key',
      port: 8321,
      maxUploadBytes: 20 * 1024 * 1024,
      maxRowsPerReturn: 100_000,
      maxWorkbookBytes: 128 * 1024 * 1024,
      uploadsPerMinute: 30,
    });
  });

  it('opens the store the beacon command opens, and takes the port and the limit', () => {
    expect(configFrom({ BEACON_HOME: '/srv/beacon', BEACON_INGEST_PORT: '9000', BEACON_MAX_UPLOAD_BYTES: '1048576' })).toMatchObject({
      store: { kind: 'sqlite', file: '/srv/beacon/events.sqlite' },
      port: 9000,
      maxUploadBytes: 1_048_576,
    });
    expect(configFrom({ BEACON_HOME: '/srv/beacon', BEACON_SQLITE_FILE: '/data/beacon.sqlite' }).store).toEqual({ kind: 'sqlite', file: '/data/beacon.sqlite' });
  });

  it('names the variable, its value and what is wrong', () => {
    expect(() => configFrom({ BEACON_INGEST_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => configFrom({ BEACON_MAX_UPLOAD_BYTES: '20MB' })).toThrow(/BEACON_MAX_UPLOAD_BYTES="20MB": /);
    expect(() => configFrom({ BEACON_INGEST_PORT: '70000' })).toThrow(/BEACON_INGEST_PORT="70000": /);
    expect(() => configFrom({ BEACON_MAX_RETURN_ROWS: '0' })).toThrow(/BEACON_MAX_RETURN_ROWS="0": /);
    expect(() => configFrom({ BEACON_UPLOADS_PER_MINUTE: 'lots' })).toThrow(/BEACON_UPLOADS_PER_MINUTE="lots": /);
  });
});
