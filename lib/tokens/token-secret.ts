import crypto from 'node:crypto';

const PREFIX = 'dpt_';

/** A new API token: 32 random bytes, recognisable by its prefix (secret scanners look for it). */
export function generateToken(): { token: string; hash: string; prefix: string } {
  const token = `${PREFIX}${crypto.randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, PREFIX.length + 6) };
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string): boolean {
  return value.startsWith(PREFIX) && value.length > PREFIX.length + 20 && value.length < 200;
}
