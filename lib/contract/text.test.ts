import { describe, expect, it } from 'vitest';
import { sanitizeText } from './text';

describe('sanitizeText', () => {
  it('replaces NUL with ␀ and lone surrogates with U+FFFD, keeping pairs and the rest', () => {
    expect(sanitizeText('a\u0000b')).toBe('a\u2400b');
    expect(sanitizeText('x\uD800y\uDC00z')).toBe('x\uFFFDy\uFFFDz');
    expect(sanitizeText('end\uD83D')).toBe('end\uFFFD');
    expect(sanitizeText('ok 😀 \uFFFD')).toBe('ok 😀 \uFFFD');
    expect(sanitizeText(Buffer.from([0x61, 0xff, 0x00, 0x62]).toString('utf8'))).toBe('a\uFFFD\u2400b');
  });
});
