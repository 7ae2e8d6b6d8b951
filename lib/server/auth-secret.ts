import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const AUTH_SECRET_FILE = 'auth-secret';

/**
 * The secret next-auth signs sessions with. Whoever holds it can forge any session, so it is kept
 * out of the database (and so out of its backups):
 * - NEXTAUTH_SECRET when set; required on PostgreSQL (lib/env.ts), where every server behind a
 *   load balancer must sign with the same secret;
 * - on embedded PGlite without it, a random secret generated at first start in
 *   `<data folder>/auth-secret`, readable by the server's user only (0600). One server owns a
 *   PGlite folder (db/pglite-lock.ts), so nothing races to create it.
 * (Before migration 0015 it sat in a server_settings row; that migration drops the table.)
 */
export function loadOrCreateAuthSecret({ configured, dataDir }: { configured?: string; dataDir: string }): string {
  if (configured) return configured;
  const file = path.join(dataDir, AUTH_SECRET_FILE);
  try {
    const secret = fs.readFileSync(file, 'utf8').trim();
    if (secret.length >= 32) {
      // A copy restored with looser modes is tightened rather than left readable by others.
      if ((fs.statSync(file).mode & 0o077) !== 0) fs.chmodSync(file, 0o600);
      return secret;
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = crypto.randomBytes(48).toString('base64url');
  fs.mkdirSync(dataDir, { recursive: true });
  // temp → fsync → rename: a crash leaves the old state or the whole new file, never half a secret.
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeSync(fd, `${secret}\n`);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  return secret;
}
