import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * next-auth signs sessions with NEXTAUTH_SECRET. When none is configured, one is generated on
 * first start and kept (mode 0600) in the data folder, so sessions survive restarts without
 * anyone having to invent a secret. Servers behind one load balancer must share it: set
 * NEXTAUTH_SECRET, or share the data folder.
 */
export function loadOrCreateAuthSecret(dataDir: string): string {
  const file = path.join(dataDir, 'auth-secret');
  try {
    const existing = fs.readFileSync(file, 'utf8').trim();
    if (existing.length >= 32) return existing;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  fs.mkdirSync(dataDir, { recursive: true });
  const secret = crypto.randomBytes(48).toString('base64url');
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeSync(fd, secret);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  return secret;
}
