import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { moveAssignments } from './move-assignments';

/**
 * The machine's owner removed a self-service package they had installed through an offer (their
 * own uninstall job, from the portal, has just completed): while that offer still stands (active,
 * not past its deadline), its assignment is offered again as a new attempt, so the catalog shows
 * Install and the user may choose it again. The one move out of a terminal state besides an
 * admin's re-run: `installed` stopped being true when the package was removed. An admin's
 * uninstall does not re-offer (they removed it on purpose), nor does an offer that has ended.
 */
export async function reofferAfterOwnUninstall(tx: Db, uninstallAssignmentId: string): Promise<number> {
  return moveAssignments(tx, {
    where: sql`id in (
      select a.id
      from assignments ua
      join jobs uj on uj.id = ua.job_id
      join machines m on m.id = ua.machine_id
      join assignments a on a.machine_id = ua.machine_id
      join jobs j on j.id = a.job_id
      where ua.id = ${uninstallAssignmentId} and uj.kind = 'uninstall' and uj.created_by = m.owner_id
        and j.kind = 'offer' and j.package_id = uj.package_id and j.state = 'active' and (j.deadline is null or j.deadline > now())
        and a.state = 'installed' and a.updated_at <= ua.created_at)`,
    from: ['installed'],
    to: 'offered',
    by: 'system',
    newAttempt: true,
    actorLabel: 'system',
    reason: 'removed by its user; offered again',
  });
}
