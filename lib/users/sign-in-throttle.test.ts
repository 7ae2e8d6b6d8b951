import { describe, expect, it } from 'vitest';
import { addressKeyPart, throttleKey } from './sign-in-throttle';

describe('throttleKey', () => {
  it('keys an IPv6 address by its /64, so rotating through the prefix is one client', () => {
    expect(throttleKey.address('2001:db8:1:2::1')).toBe(throttleKey.address('2001:db8:1:2:ffff:eeee:dddd:cccc'));
    expect(throttleKey.emailFromAddress('a@b', '2001:DB8:1:2::1')).toBe(throttleKey.emailFromAddress('a@b', '2001:db8:1:2:0:0:0:9'));
    expect(throttleKey.enrolFromAddress('2001:db8:1:2::1')).toBe(throttleKey.enrolFromAddress('2001:db8:1:2::2'));
    expect(throttleKey.address('2001:db8:1:2::1')).not.toBe(throttleKey.address('2001:db8:1:3::1'));
    expect(addressKeyPart('2001:db8:0:0:1::1')).toBe('2001:db8:0:0::/64');
    expect(addressKeyPart('::1')).toBe('0:0:0:0::/64');
    expect(addressKeyPart('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
    expect(addressKeyPart('64:ff9b::192.0.2.1')).toBe('64:ff9b:0:0::/64');
  });

  it('keys IPv4 (also IPv4-mapped IPv6) by the whole address', () => {
    expect(throttleKey.address('::ffff:192.0.2.1')).toBe(throttleKey.address('192.0.2.1'));
    expect(throttleKey.address('192.0.2.1')).not.toBe(throttleKey.address('192.0.2.2'));
    expect(addressKeyPart('unknown')).toBe('unknown');
  });
});
