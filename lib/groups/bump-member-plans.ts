import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { groupMembers, machines } from '@/db/schema';

/** A group's defaults changed (windows, blackout dates): every member's next poll gets a new plan. */
export async function bumpMemberPlans(tx: Db, groupId: string): Promise<void> {
  await tx.execute(sql`update ${machines} set plan_version = plan_version + 1 where id in (select machine_id from ${groupMembers} where group_id = ${groupId})`);
}
