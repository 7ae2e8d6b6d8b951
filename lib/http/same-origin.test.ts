import { afterEach, describe, expect, it, vi } from 'vitest';
import { crossSiteRefusal } from './same-origin';
import { siteOrigin } from './site-origin';

const headers = (h: Record<string, string>) => (name: string) => h[name];

afterEach(() => vi.unstubAllEnvs());

describe('crossSiteRefusal', () => {
  it('without DEPOT_PUBLIC_URL compares hosts only: an https page behind a TLS-terminating proxy that sends no X-Forwarded-Proto passes', () => {
    vi.stubEnv('NEXTAUTH_URL', '');
    expect(crossSiteRefusal('POST', headers({ host: 'depot.example', origin: 'https://depot.example' }))).toBeNull();
    expect(crossSiteRefusal('POST', headers({ host: 'internal:3000', 'x-forwarded-host': 'depot.example', origin: 'https://depot.example' }))).toBeNull();
    expect(crossSiteRefusal('POST', headers({ host: 'depot.example', origin: 'https://evil.example' }))?.code).toBe('forbidden');
    expect(crossSiteRefusal('POST', headers({ host: 'depot.example', origin: 'null' }))?.code).toBe('forbidden');
  });

  it('with DEPOT_PUBLIC_URL compares the whole origin', () => {
    vi.stubEnv('NEXTAUTH_URL', 'https://depot.example');
    expect(crossSiteRefusal('POST', headers({ host: 'depot.example', origin: 'https://depot.example' }))).toBeNull();
    expect(crossSiteRefusal('POST', headers({ host: 'depot.example', origin: 'http://depot.example' }))?.code).toBe('forbidden');
  });
});

describe('siteOrigin', () => {
  it('is DEPOT_PUBLIC_URL, else the forwarded or own host with the forwarded scheme', () => {
    vi.stubEnv('NEXTAUTH_URL', '');
    expect(siteOrigin(headers({ host: 'internal:3000', 'x-forwarded-host': 'depot.example', 'x-forwarded-proto': 'https' }))).toBe('https://depot.example');
    expect(siteOrigin(headers({ host: 'depot.example' }))).toBe('http://depot.example');
    vi.stubEnv('NEXTAUTH_URL', 'https://public.example/base');
    expect(siteOrigin(headers({ host: 'depot.example' }))).toBe('https://public.example');
  });
});
