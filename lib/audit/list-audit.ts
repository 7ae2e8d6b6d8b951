import { and, desc, eq, ilike, lt, or, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import { auditLog, type AuditEntry } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';

export const listAuditQuerySchema = z.object({
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  action: z.string().trim().max(100).optional(),
  // Keyset paging: the id of the last row of the previous page; fast however deep the log is.
  before: z.coerce.number({ message: 'expected an audit entry id' }).int().positive().optional(),
  limit: z.coerce.number({ message: 'expected a number' }).int().min(1, 'expected 1 to 200').max(200, 'expected 1 to 200').default(50),
});
// Loose on purpose: pages pass raw search params and this operation parses them.
export type ListAuditQuery = { [K in keyof z.input<typeof listAuditQuerySchema>]?: unknown };

export interface ListAuditOptions {
  actor: Actor | null;
  query: ListAuditQuery;
}

export interface AuditPage {
  entries: AuditEntry[];
  nextBefore: number | null;
}

export async function listAudit(db: Db, { actor, query }: ListAuditOptions): Promise<AuditPage> {
  requirePermission(actor, 'audit.view');
  const q = parseInput(listAuditQuerySchema, query);
  const where: SQL[] = [];
  if (q.before) where.push(lt(auditLog.id, q.before));
  if (q.action) where.push(eq(auditLog.action, q.action));
  if (q.q) {
    const pattern = `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
    where.push(or(ilike(auditLog.actorLabel, pattern), ilike(auditLog.targetLabel, pattern), ilike(auditLog.action, pattern))!);
  }
  const rows = await db
    .select()
    .from(auditLog)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(q.limit + 1);
  const entries = rows.slice(0, q.limit);
  return { entries, nextBefore: rows.length > q.limit ? entries[entries.length - 1].id : null };
}
