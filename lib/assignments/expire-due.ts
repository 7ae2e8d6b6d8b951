import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { jobs, packages } from '@/db/schema';
import { moveAssignments } from './move-assignments';

export interface Expired {
  /** Offers whose job's deadline passed before the user chose them. */
  offers: number;
  /** Assignments not yet started whose package expired. */
  packageExpired: number;
}

/**
 * Moves what is due to `expired`, decided from the rows alone: an offer past its job's deadline,
 * and any assignment not yet started whose package has expired. Each move is one set-based update
 * guarded by the state it moves from, so two servers running this at once cannot expire a row
 * twice (the second update finds it already expired) and replaying it changes nothing.
 */
export async function expireDue(db: Db, now: Date): Promise<Expired> {
  const at = now.toISOString();
  return db.transaction(async (tx) => {
    const offers = await moveAssignments(tx, {
      where: sql`job_id in (select id from ${jobs} where kind = 'offer' and deadline <= ${at})`,
      from: ['offered', 'declined'],
      to: 'expired',
      by: 'system',
      actorLabel: 'system',
      reason: 'the offer’s deadline passed before it was chosen',
    });
    const packageExpired = await moveAssignments(tx, {
      // Installs and offers only: an uninstall of an expired package must still be able to run.
      where: sql`job_id in (select j.id from ${jobs} j join ${packages} p on p.id = j.package_id where p.expires_at <= ${at} and j.kind in ('install', 'offer'))`,
      to: 'expired',
      by: 'system',
      actorLabel: 'system',
      reason: 'the package expired before it was installed',
    });
    return { offers, packageExpired };
  });
}
