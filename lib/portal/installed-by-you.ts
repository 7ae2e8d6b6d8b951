import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import type { AssignmentState } from '@/db/schema';
import { rowsOf } from '@/lib/sql';

/** A self-service package the user installed on the machine through an offer, still there. */
export interface InstalledByYou {
  /** The offer's assignment: what the Uninstall action names. */
  assignmentId: string;
  jobId: string;
  /** The package's id (a UUID). */
  packageId: string;
  /** "Notes 1.0.0" */
  software: string;
  /** ISO: when it was installed. */
  installedAt: string;
  /** Self-service with an uninstall command: the user may remove it. */
  uninstallable: boolean;
  /** The latest uninstall of it on this machine since it was installed (pending … failed), if any. */
  removal: AssignmentState | null;
}

/**
 * The self-service packages installed on this machine through offers, whatever became of the
 * offer since (ended, cancelled, past its deadline, its package expired): the catalog lists only
 * live offers, and the user must still be able to remove what they chose. One row per package
 * (the latest install), left out once an uninstall of it on this machine since has completed.
 */
export async function installedByYou(db: Db, machineId: string): Promise<InstalledByYou[]> {
  const result = await db.execute(sql`
    select * from (
      select distinct on (j.package_id)
             a.id as assignment_id, j.id as job_id, p.id as package_id, p.display_name, p.version, a.updated_at as installed_at,
             (p.manifest->'installer' ? 'uninstall') as uninstallable,
             (select ua.state from assignments ua join jobs uj on uj.id = ua.job_id
              where uj.kind = 'uninstall' and uj.package_id = j.package_id and ua.machine_id = a.machine_id and ua.created_at > a.updated_at
              order by ua.created_at desc limit 1) as removal
      from assignments a
      join jobs j on j.id = a.job_id
      join packages p on p.id = j.package_id
      where a.machine_id = ${machineId} and a.state = 'installed' and j.kind = 'offer' and p.self_service
      order by j.package_id, a.updated_at desc
    ) installed
    where removal is distinct from 'installed'
    order by lower(display_name), package_id`);
  type Row = { assignment_id: string; job_id: string; package_id: string; display_name: string; version: string; installed_at: Date | string; uninstallable: boolean; removal: AssignmentState | null };
  return rowsOf<Row>(result).map((r) => ({
    assignmentId: r.assignment_id,
    jobId: r.job_id,
    packageId: r.package_id,
    software: `${r.display_name} ${r.version}`,
    installedAt: new Date(r.installed_at).toISOString(),
    uninstallable: Boolean(r.uninstallable),
    removal: r.removal,
  }));
}
