import crypto from 'node:crypto';

/** Prefixes make each kind recognisable (secret scanners, logs, a token pasted in the wrong place). */
export const PREFIX = { apiToken: 'dpt_', enrolmentSecret: 'dps_', machineToken: 'dpm_', calendarFeed: 'dpc_', relayToken: 'dpr_' } as const;

/** A new secret: 32 random bytes. Only its SHA-256 is stored; the first characters tell it apart in lists. */
export function generateSecret(prefix: string): { token: string; hash: string; prefix: string } {
  const token = `${prefix}${crypto.randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token), prefix: token.slice(0, prefix.length + 6) };
}

export function generateToken(): { token: string; hash: string; prefix: string } {
  return generateSecret(PREFIX.apiToken);
}

export function hashToken(token: string): string {
  return crypto.createHash('sha256').update(token).digest('hex');
}

export function looksLikeToken(value: string, prefix: string = PREFIX.apiToken): boolean {
  return value.startsWith(prefix) && value.length > prefix.length + 20 && value.length < 200;
}
