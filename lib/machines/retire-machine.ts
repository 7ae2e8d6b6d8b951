import { and, asc, eq, inArray, notInArray } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, machineGroups, machines } from '@/db/schema';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { TERMINAL_STATES } from '@/lib/assignments/transitions';
import { writeAudit } from '@/lib/audit/write-audit';
import { actorLabel } from '@/lib/audit/actor-label';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { loadMachineForUpdate } from './load-machine';

/**
 * Retires a machine: its token stops working at once (resolveMachine refuses retired machines),
 * whatever it had not started is cancelled, and it leaves its groups so no new job reaches it.
 * Its row, assignments and history stay for the record; a machine that comes back enrols anew.
 */
export async function retireMachine(db: Db, { actor, machineId, now = new Date() }: { actor: Actor | null; machineId: string; now?: Date }) {
  const deployer = requirePermission(actor, 'deploy.manage');
  return db.transaction(async (tx) => {
    // Its unfinished assignments first, then the machine: the lock order of lib/portal/assignment-choice.ts.
    // Taking the machine first deadlocked against a user's choice (assignment locked, then the
    // machine's plan bumped) or the agent's turn on the same machine.
    if (isUuid(machineId)) {
      await tx
        .select({ id: assignments.id })
        .from(assignments)
        .where(and(eq(assignments.machineId, machineId), notInArray(assignments.state, [...TERMINAL_STATES])))
        .orderBy(asc(assignments.id))
        .for('update');
    }
    const machine = await loadMachineForUpdate(tx, machineId, { retired: true });
    if (machine.retiredAt) throw new AppError('conflict', { message: `${machine.hostname} was already retired on ${machine.retiredAt.toISOString()}.` });
    const left = await tx
      .delete(groupMembers)
      .where(eq(groupMembers.machineId, machine.id))
      .returning({ groupId: groupMembers.groupId });
    const groupNames = left.length ? (await tx.select({ name: machineGroups.name }).from(machineGroups).where(inArray(machineGroups.id, left.map((l) => l.groupId)))).map((g) => g.name) : [];
    const cancelled = await moveAssignments(tx, { machineId: machine.id, to: 'cancelled', by: 'admin', actorLabel: actorLabel(deployer), reason: 'the machine was retired' });
    // A retired machine can never report the end of an install it had started: without this the
    // row would stay installing for ever and hold its job and package open.
    const interrupted = await moveAssignments(tx, { machineId: machine.id, from: ['installing'], to: 'failed', by: 'system', actorLabel: actorLabel(deployer), reason: 'the machine was retired during the install; its outcome is unknown' });
    await tx.update(machines).set({ retiredAt: now }).where(eq(machines.id, machine.id));
    await writeAudit(tx, {
      actor: deployer,
      action: 'machine.retire',
      targetType: 'machine',
      targetId: machine.id,
      targetLabel: machine.hostname,
      after: { retiredAt: now.toISOString(), groups: groupNames, cancelledAssignments: cancelled, interruptedInstalls: interrupted },
    });
    return { id: machine.id, retiredAt: now.toISOString(), cancelledAssignments: cancelled, interruptedInstalls: interrupted, leftGroups: groupNames };
  });
}
