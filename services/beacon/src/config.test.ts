import { describe, expect, it } from 'vitest';
import { ConfigError, configFrom } from './config.js';

describe('configuration', () => {
  it('needs nothing for the embedded default', () => {
    expect(configFrom({})).toEqual({ home: 'var', store: { kind: 'sqlite', file: 'var/events.sqlite' }, catalogueDir: undefined });
  });

  it('names the variable, its value and what is allowed', () => {
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(ConfigError);
    expect(() => configFrom({ BEACON_STORE: 'mysql' })).toThrow(/BEACON_STORE="mysql": .*"sqlite"/);
  });
});
