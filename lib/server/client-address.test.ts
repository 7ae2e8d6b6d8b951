import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { parseServerEnv } from '@/lib/env';
import { CLIENT_ADDRESS_HEADER, clientAddressOf, proxyTrust, stampClientAddress } from './client-address';

function request(peer: string, headers: Record<string, string>): IncomingMessage {
  const rawHeaders = Object.entries(headers).flat();
  return { socket: { remoteAddress: peer }, headers: { ...headers }, rawHeaders } as unknown as IncomingMessage;
}
const trust = (list: string) => proxyTrust(parseServerEnv({ DEPOT_TRUSTED_PROXIES: list }).trustedProxies);

describe('clientAddressOf', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    expect(clientAddressOf(request('198.51.100.1', { 'x-forwarded-for': '203.0.113.5' }), proxyTrust([]))).toBe('198.51.100.1');
    expect(clientAddressOf(request('::ffff:198.51.100.1', {}), proxyTrust([]))).toBe('198.51.100.1');
  });

  it('reads X-Forwarded-For right to left past trusted proxies only', () => {
    const trusted = trust('10.0.0.0/8, ::1');
    // The client wrote "1.1.1.1" itself; the proxy appended the address it saw.
    expect(clientAddressOf(request('10.0.0.2', { 'x-forwarded-for': '1.1.1.1, 203.0.113.5' }), trusted)).toBe('203.0.113.5');
    expect(clientAddressOf(request('10.0.0.2', { 'x-forwarded-for': '203.0.113.5, 10.0.0.9' }), trusted)).toBe('203.0.113.5');
    expect(clientAddressOf(request('::1', { 'x-forwarded-for': '2001:db8::7' }), trusted)).toBe('2001:db8::7');
    expect(clientAddressOf(request('10.0.0.2', {}), trusted)).toBe('10.0.0.2');
    expect(clientAddressOf(request('192.0.2.1', { 'x-forwarded-for': '203.0.113.5' }), trusted)).toBe('192.0.2.1');
  });
});

describe('stampClientAddress', () => {
  it('replaces a client-sent stamp and drops forwarded headers from an untrusted peer', () => {
    const req = request('192.0.2.1', { [CLIENT_ADDRESS_HEADER]: '127.0.0.1', 'x-forwarded-host': 'evil.example', 'x-forwarded-proto': 'https', host: 'depot.test' });
    stampClientAddress(req, trust('10.0.0.0/8'));
    expect(req.headers).toEqual({ host: 'depot.test', [CLIENT_ADDRESS_HEADER]: '192.0.2.1' });
    expect(req.rawHeaders).toEqual(['host', 'depot.test', CLIENT_ADDRESS_HEADER, '192.0.2.1']);
  });

  it('keeps forwarded headers from a trusted proxy', () => {
    const req = request('10.0.0.2', { 'x-forwarded-host': 'depot.example.com', 'x-forwarded-for': '203.0.113.5' });
    stampClientAddress(req, trust('10.0.0.0/8'));
    expect(req.headers['x-forwarded-host']).toBe('depot.example.com');
    expect(req.headers[CLIENT_ADDRESS_HEADER]).toBe('203.0.113.5');
  });
});
