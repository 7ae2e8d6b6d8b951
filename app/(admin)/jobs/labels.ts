import type { Job, JobKind, JobState } from '@/db/schema';
import type { BadgeTone } from '@/app/_components/ui';
import { formatDateTime } from '@/app/_components/ui';

export const JOB_KIND_LABEL: Record<JobKind, string> = { install: 'Install (mandatory)', offer: 'Offer', uninstall: 'Uninstall', inventory: 'Inventory' };
export const JOB_STATE_TONE: Record<JobState, BadgeTone> = { active: 'green', suspended: 'amber', cancelled: 'gray' };

export function timingLabel(job: Pick<Job, 'kind' | 'timing' | 'startAt' | 'notBefore' | 'deadline' | 'loadSpreading' | 'maxConcurrent'>): string {
  const parts = [job.timing === 'asap' ? 'As soon as received' : job.timing === 'at' ? `At ${formatDateTime(job.startAt)}` : `In installation windows${job.loadSpreading ? ', spread' : ''}`];
  if (job.notBefore) parts.push(`not before ${formatDateTime(job.notBefore)}`);
  if (job.deadline) parts.push(job.kind === 'offer' ? `offer expires ${formatDateTime(job.deadline)}` : `deadline ${formatDateTime(job.deadline)}`);
  if (job.maxConcurrent) parts.push(`at most ${job.maxConcurrent} machine${job.maxConcurrent === 1 ? '' : 's'} installing at once`);
  return parts.join('; ');
}

/** What the machines' users may do with this job in the portal, for the job page; null when nothing applies. */
export function userOptionsLabel(job: Pick<Job, 'kind' | 'deferralLimit' | 'allowInstallNow'>): string | null {
  if (job.kind !== 'install' && job.kind !== 'offer') return null;
  const parts: string[] = [];
  if (job.kind === 'install') parts.push(job.deferralLimit ? `may postpone it ${job.deferralLimit === 1 ? 'once' : `${job.deferralLimit} times`} to a later window (never past the deadline)` : 'cannot postpone it');
  parts.push(job.allowInstallNow ? 'may install it now, outside their windows' : 'install it only in their windows or by the job’s timing');
  return `Users ${parts.join('; ')}.`;
}
