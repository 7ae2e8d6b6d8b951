import type { AssignmentState, Job, Package } from '@/db/schema';
import { AppError } from '@/lib/errors';
import { formatTime } from './format-time';

/**
 * Why a choice on this job is refused (409), or null: its job suspended or cancelled, its deadline
 * passed (the sweep may not have marked it yet: the rows decide), its package deleted or expired.
 * `label` names the software and machine.
 */
export function whyNotLive(job: Pick<Job, 'kind' | 'state' | 'deadline'>, pkg: Pick<Package, 'expiresAt' | 'displayName'> | null, label: string, now: Date): AppError | null {
  const what = job.kind === 'offer' ? 'offer' : 'install';
  if (job.state === 'suspended') return new AppError('conflict', { message: `The ${what} of ${label} is paused by your administrators; try again later.` });
  if (job.state === 'cancelled') return new AppError('conflict', { message: `The ${what} of ${label} was withdrawn by your administrators.` });
  if (job.kind === 'offer' && job.deadline && job.deadline <= now) return new AppError('conflict', { message: `The offer of ${label} expired on ${formatTime(job.deadline)}.` });
  if (!pkg) return new AppError('conflict', { message: `The package of ${label} was deleted; ask your IT team.` });
  if (pkg.expiresAt && pkg.expiresAt <= now) return new AppError('conflict', { message: `${pkg.displayName} expired on ${formatTime(pkg.expiresAt)}; a newer version may be offered.` });
  return null;
}

export function requireLiveJob(job: Pick<Job, 'kind' | 'state' | 'deadline'>, pkg: Pick<Package, 'expiresAt' | 'displayName'> | null, label: string, now: Date): void {
  const refusal = whyNotLive(job, pkg, label, now);
  if (refusal) throw refusal;
}

/** The end user's word for where an assignment stands, for messages. */
export function stateInWords(state: AssignmentState): string {
  switch (state) {
    case 'offered':
      return 'offered, not chosen';
    case 'pending':
    case 'downloading':
    case 'ready':
      return 'chosen and waiting to install';
    case 'installing':
      return 'installing right now';
    case 'declined':
      return 'rejected';
    case 'held':
      return 'paused by your administrators';
    default:
      return state;
  }
}
