import { describe, expect, it } from 'vitest';
import { contentSourcesLine, tokenRefusedLine } from './cli';

describe('depot-agent status', () => {
  it('lists the plan’s relays nearest first, then the managing server', () => {
    expect(contentSourcesLine({ contentSources: [] })).toBe('Downloads from: the managing server.');
    const contentSources = [
      { relayId: '44444444-4444-4444-8444-444444444444', name: 'berlin', url: 'http://relay-berlin:8081' },
      { relayId: '55555555-5555-4555-8555-555555555555', name: 'frankfurt', url: 'http://relay-fra:8081' },
    ];
    expect(contentSourcesLine({ contentSources })).toBe('Downloads from: relay berlin (http://relay-berlin:8081), then relay frankfurt (http://relay-fra:8081), then the managing server.');
  });
});

describe('depot-agent status: a refused token', () => {
  it('says the server refuses the token only while the plan request it just made is not accepted', () => {
    const since = '2027-01-01T00:00:00.000Z';
    expect(tokenRefusedLine(since, 200)).toBeNull();
    expect(tokenRefusedLine(since, 304)).toBeNull();
    expect(tokenRefusedLine(since, 401)).toContain(`refuses this machine's token since ${since}`);
    expect(tokenRefusedLine(since, null)).toContain('refuses'); // offline: the daemon's last word stands
    expect(tokenRefusedLine(null, 401)).toBeNull();
  });
});
