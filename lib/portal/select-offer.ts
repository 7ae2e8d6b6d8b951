import { and, asc, eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, jobs, packages, type AssignmentState, type Machine } from '@/db/schema';
import { moveAssignments } from '@/lib/assignments/move-assignments';
import { canMove } from '@/lib/assignments/transitions';
import { writeAudit } from '@/lib/audit/write-audit';
import { actorLabel } from '@/lib/audit/actor-label';
import type { Actor } from '@/lib/auth/permissions';
import { AppError, parseInput } from '@/lib/errors';
import { pgArray } from '@/lib/sql';
import { guardedPlanBump } from './assignment-choice';
import { softwareName } from './load-owned-assignment';
import { stateInWords, whyNotLive } from './offer-checks';
import { loadOwnedMachine } from './owned-machine';
import { selectOfferInputSchema } from './schemas';

const TAKEN: AssignmentState[] = ['pending', 'downloading', 'ready', 'installing', 'installed'];

export interface SelectOfferOptions {
  actor: Actor | null;
  /** { packageId | assignmentId, machineIds, installNow? }; parsed here. */
  input: unknown;
  now?: Date;
}

export interface SelectedOffer {
  machineId: string;
  hostname: string;
  assignmentId: string;
  state: 'pending';
  runNow: boolean;
}

/**
 * The end user chooses an offered package for one or more of their machines: each offer's
 * assignment goes offered → pending (with "install now", also run_now, where the job allows it).
 * All or nothing: every machine is checked (the user's own, the package offered to it, the offer
 * still standing) before any row changes, in one transaction. The offers' rows are locked in one
 * statement in id order, then the machines in id order, so two overlapping choices, a retire and
 * the agent's turn take their locks in the same order (see assignment-choice.ts).
 */
export interface SelectedOffers {
  /** "Firefox 128.5" */
  software: string;
  selected: SelectedOffer[];
}

export async function selectOffer(db: Db, { actor, input, now = new Date() }: SelectOfferOptions): Promise<SelectedOffers> {
  const data = parseInput(selectOfferInputSchema, input, 'body');
  const machineIds = [...new Set(data.machineIds)].sort();
  return db.transaction(async (tx) => {
    let user: Actor | null = null;
    const owned: Machine[] = [];
    for (const machineId of machineIds) {
      const found = await loadOwnedMachine(tx, actor, machineId);
      user = found.user;
      owned.push(found.machine);
    }
    // By assignment: the package it offers, so the same "not twice" check runs over every offer
    // of that package to the machine (a package since deleted leaves the one assignment alone).
    let packageId = data.packageId ?? null;
    if (data.assignmentId) {
      const [offer] = await tx
        .select({ packageId: jobs.packageId })
        .from(assignments)
        .innerJoin(jobs, eq(jobs.id, assignments.jobId))
        .where(and(eq(assignments.id, data.assignmentId), eq(assignments.machineId, owned[0].id), eq(jobs.kind, 'offer')));
      if (!offer) throw new AppError('not_found', { field: 'assignmentId', message: `${owned[0].hostname} has no offer with id ${data.assignmentId}.` });
      packageId = offer.packageId;
    }
    // Every offer of this package to these machines (two jobs may offer the same package), locked
    // in one statement in id order: see the lock order in assignment-choice.ts.
    const which = packageId ? eq(jobs.packageId, packageId) : eq(assignments.id, data.assignmentId!);
    const locked = await tx
      .select({ assignment: assignments, job: jobs, pkg: packages })
      .from(assignments)
      .innerJoin(jobs, eq(jobs.id, assignments.jobId))
      .leftJoin(packages, eq(packages.id, jobs.packageId))
      .where(and(sql`${assignments.machineId} = any(${pgArray(machineIds)}::uuid[])`, eq(jobs.kind, 'offer'), which))
      .orderBy(asc(assignments.id))
      .for('update', { of: assignments });
    const picked: (SelectedOffer & { label: string; jobId: string })[] = [];
    let software = '';
    for (const machine of owned) {
      // The newest job first, as the catalog shows it.
      const candidates = locked.filter((c) => c.assignment.machineId === machine.id).sort((x, y) => y.job.createdAt.getTime() - x.job.createdAt.getTime());
      if (candidates.length === 0) throw new AppError('not_found', { field: 'packageId', message: `No package with id ${data.packageId} is offered to ${machine.hostname}.` });
      const label = `${softwareName(candidates[0].pkg, candidates[0].job)} on ${machine.hostname}`;
      // Already chosen or installed through another job's offer of the same package: not twice.
      const taken = candidates.find((c) => TAKEN.includes(c.assignment.state));
      if (taken) throw notOpen(taken.assignment.state, label);
      // An offer still open to choose and still standing (the one asked for, if one was); with
      // "install now", one whose job allows it if any does.
      const asked = data.assignmentId ? candidates.filter((c) => c.assignment.id === data.assignmentId) : candidates;
      const open = asked.filter((c) => canMove(c.assignment.state, 'pending', 'user'));
      if (open.length === 0) throw notOpen(asked[0].assignment.state, label);
      const live = open.filter((c) => !whyNotLive(c.job, c.pkg, label, now));
      if (live.length === 0) throw whyNotLive(open[0].job, open[0].pkg, label, now)!;
      const chosen = (data.installNow ? live.find((c) => c.job.allowInstallNow) : undefined) ?? live[0];
      software = softwareName(chosen.pkg, chosen.job);
      if (data.installNow && !chosen.job.allowInstallNow) {
        throw new AppError('conflict', { message: `The offer of ${label} does not allow installing now: choose Install, and it installs in the machine’s installation windows.` });
      }
      picked.push({ machineId: machine.id, hostname: machine.hostname, assignmentId: chosen.assignment.id, state: 'pending', runNow: data.installNow, label, jobId: chosen.job.id });
    }
    const ids = picked.map((p) => p.assignmentId);
    // The machines still the user's (an admin may have re-owned one since it was read), locked in
    // id order before moveAssignments bumps them.
    await guardedPlanBump(tx, user!, machineIds);
    const by = actorLabel(user);
    await moveAssignments(tx, { where: sql`id = any(${pgArray(ids)}::uuid[])`, from: ['offered'], to: 'pending', by: 'user', actorLabel: by, reason: data.installNow ? 'chosen by the user: install now' : 'chosen by the user' });
    await tx.update(assignments).set({ runNow: data.installNow }).where(sql`${assignments.id} = any(${pgArray(ids)}::uuid[])`);
    for (const p of picked) {
      await writeAudit(tx, { actor: user, action: 'portal.select_offer', targetType: 'assignment', targetId: p.assignmentId, targetLabel: p.label, before: { state: 'offered' }, after: { state: 'pending', runNow: p.runNow, jobId: p.jobId, machineId: p.machineId } });
    }
    // Locked in id order; answered in the order a person reads them.
    picked.sort((x, y) => x.hostname.localeCompare(y.hostname));
    return { software, selected: picked.map(({ label: _label, jobId: _jobId, ...p }) => p) };
  });
}

/** Why the offer cannot be chosen on this machine now, in the user's words. */
function notOpen(state: AssignmentState, label: string): AppError {
  if (state === 'declined') return new AppError('conflict', { message: `You rejected ${label}: choose “Show again” first, then install it.` });
  if (state === 'installed') return new AppError('conflict', { message: `${label} is already installed.` });
  if (state === 'expired' || state === 'cancelled') return new AppError('conflict', { message: `${label} is no longer offered (${state}).` });
  return new AppError('conflict', { message: `${label} is already ${stateInWords(state)}.` });
}
