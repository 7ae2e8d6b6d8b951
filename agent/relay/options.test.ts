import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRelayOptions, UsageError } from './options';
import { parseBytes, parseDuration } from './units';

const base = { server: 'https://depot.example.com/', token: 'dpr_x', listen: ':8081', cache: 'cache' };

describe('parseRelayOptions', () => {
  it('fills the defaults: the server as upstream, 200 clients, 20 GiB, the heartbeat the server asks for', () => {
    expect(parseRelayOptions(base, {})).toEqual({
      server: 'https://depot.example.com',
      token: 'dpr_x',
      listen: { host: undefined, port: 8081 },
      cacheDir: path.resolve('cache'),
      upstream: 'https://depot.example.com',
      maxClients: 200,
      cacheSizeBytes: 20 * 2 ** 30,
      heartbeatMs: null,
    });
  });

  it('reads the token from DEPOT_RELAY_TOKEN, a host in --listen, a parent relay and the limits', () => {
    const o = parseRelayOptions({ ...base, token: undefined, listen: '[::1]:9000', upstream: 'http://parent:8081', maxClients: '50', cacheSize: '500GB', heartbeat: '2m' }, { DEPOT_RELAY_TOKEN: 'dpr_env' });
    expect(o).toMatchObject({ token: 'dpr_env', listen: { host: '::1', port: 9000 }, upstream: 'http://parent:8081', maxClients: 50, cacheSizeBytes: 500e9, heartbeatMs: 120_000 });
    expect(parseRelayOptions({ ...base, listen: '10.0.0.5:8081' }, {}).listen).toEqual({ host: '10.0.0.5', port: 8081 });
    expect(parseRelayOptions({ ...base, listen: '8081' }, {}).listen).toEqual({ host: undefined, port: 8081 });
  });

  it.each([
    [{ server: undefined }, '--server: expected a URL'],
    [{ server: 'ftp://x' }, '--server: expected an http:// or https:// URL'],
    [{ token: undefined }, '--token: expected the relay token'],
    [{ listen: 'localhost' }, '--listen: expected [HOST:]PORT'],
    [{ listen: ':70000' }, '--listen: expected [HOST:]PORT'],
    [{ listen: undefined }, '--listen: expected [HOST:]PORT'],
    [{ cache: undefined }, '--cache: expected the cache directory'],
    [{ maxClients: '0' }, '--max-clients: expected a whole number of at least 1'],
    [{ maxClients: 'many' }, '--max-clients: expected a whole number'],
    [{ cacheSize: '20 parsecs' }, '--cache-size: expected a size'],
    [{ heartbeat: '0s' }, '--heartbeat: expected a duration from 1s to 1h'],
    [{ upstream: 'not a url' }, '--upstream: expected a URL'],
  ])('refuses %o naming the option', (override, message) => {
    expect(() => parseRelayOptions({ ...base, ...override }, {})).toThrow(UsageError);
    expect(() => parseRelayOptions({ ...base, ...override }, {})).toThrow(message);
  });
});

describe('units', () => {
  it('reads binary and decimal sizes and durations', () => {
    expect([parseBytes('20GiB'), parseBytes('20 gb'), parseBytes('1.5MiB'), parseBytes('4096'), parseBytes('3x'), parseBytes('')]).toEqual([20 * 2 ** 30, 20e9, 1.5 * 2 ** 20, 4096, null, null]);
    expect([parseDuration('30s'), parseDuration('500ms'), parseDuration('2m'), parseDuration('1h'), parseDuration('45'), parseDuration('soon')]).toEqual([30_000, 500, 120_000, 3_600_000, 45_000, null]);
  });
});
