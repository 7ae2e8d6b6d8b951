import { describe, expect, it } from 'vitest';
import { safeCallbackPath } from './safe-callback';

const base = 'http://localhost:3000';

describe('safeCallbackPath', () => {
  it('keeps paths on this site', () => {
    expect(safeCallbackPath('/jobs?state=failed#top', base)).toBe('/jobs?state=failed#top');
    expect(safeCallbackPath('http://localhost:3000/users', base)).toBe('/users');
  });

  it.each([
    'https://evil.example/x',
    '//evil.example/x',
    '/\\evil.example',
    '\\\\evil.example',
    'javascript:alert(1)',
    'http://localhost:3001/users',
    '',
    undefined,
    42,
  ])('sends %s home', (raw) => {
    expect(safeCallbackPath(raw, base)).toBe('/');
  });

  it('never returns to the sign-in page', () => {
    expect(safeCallbackPath('/signin?callbackUrl=/users', base)).toBe('/');
  });
});
