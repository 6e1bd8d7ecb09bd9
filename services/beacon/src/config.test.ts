import { describe, expect, it } from 'vitest';
import { ConfigError, configFrom } from './config.js';

describe('configuration', () => {
  it('needs nothing for the embedded default', () => {
    expect(configFrom({})).toEqual({
      home: 'var',
      store: { kind: 'sqlite', file: 'var/events.sqlite' },
      readModelsFile: 'var/read-models.sqlite',
      catalogueDir: undefined,
    });
  });

  it('keeps the read models beside the store unless told otherwise', () => {
    expect(configFrom({ BEACON_HOME: '/srv/beacon' }).readModelsFile).toBe('/srv/beacon/read-models.sqlite');
    expect(configFrom({ BEACON_READ_MODELS_FILE: '/fast/rm.sqlite' }).readModelsFile).toBe('/fast/rm.sqlite');
  });

  it('names the variable, its value and what is allowed', () => {
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(ConfigError);
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(/BEACON_STORE="mysql": .*"sqlite"/);
  });
});
