import { and, eq, gt, isNull, lt, or, sql } from 'drizzle-orm';
import { IANAZone } from 'luxon';
import type { Db } from '@/db/client';
import { enrolmentSecrets, machines } from '@/db/schema';
import { writeAudit } from '@/lib/audit/write-audit';
import { enrollRequestSchema, type EnrollResponse } from '@/lib/contract/agent-api';
import { AppError, parseInput } from '@/lib/errors';
import { generateSecret, hashToken, looksLikeToken, PREFIX } from '@/lib/tokens/token-secret';

/**
 * Exchanges an enrolment secret for a machine and its own token (shown once, stored hashed).
 * The secret's use is counted in the same statement that checks it, so two machines racing for
 * the last use of a secret cannot both get in.
 */
export async function enrollMachine(db: Db, { input, now = new Date() }: { input: unknown; now?: Date }): Promise<EnrollResponse> {
  const data = parseInput(enrollRequestSchema, input, 'body');
  if (!IANAZone.isValidZone(data.timeZone)) {
    throw new AppError('invalid_input', { field: 'timeZone', message: `timeZone: unknown time zone "${data.timeZone.slice(0, 64)}" (expected an IANA name such as Europe/Berlin)` });
  }
  const refused = new AppError('unauthorized', { message: 'The enrolment secret is not valid: it is wrong, expired, revoked or used up. Ask an admin for a current one.' });
  if (!looksLikeToken(data.secret, PREFIX.enrolmentSecret)) throw refused;
  const token = generateSecret(PREFIX.machineToken);
  return db.transaction(async (tx) => {
    const [secret] = await tx
      .update(enrolmentSecrets)
      .set({ uses: sql`${enrolmentSecrets.uses} + 1` })
      .where(
        and(
          eq(enrolmentSecrets.secretHash, hashToken(data.secret)),
          isNull(enrolmentSecrets.revokedAt),
          or(isNull(enrolmentSecrets.expiresAt), gt(enrolmentSecrets.expiresAt, now)),
          or(isNull(enrolmentSecrets.maxUses), lt(enrolmentSecrets.uses, enrolmentSecrets.maxUses)),
        ),
      )
      .returning({ id: enrolmentSecrets.id, name: enrolmentSecrets.name });
    if (!secret) throw refused;
    const [machine] = await tx
      .insert(machines)
      .values({ hostname: data.hostname, tokenHash: token.hash, enrolmentSecretId: secret.id, timeZone: data.timeZone, facts: data.facts, lastSeenAt: now })
      .returning({ id: machines.id });
    await writeAudit(tx, {
      actor: null,
      action: 'machine.enroll',
      targetType: 'machine',
      targetId: machine.id,
      targetLabel: data.hostname,
      after: { hostname: data.hostname, timeZone: data.timeZone, enrolmentSecret: secret.name },
    });
    return { machineId: machine.id, token: token.token };
  });
}
