import type { Job, JobKind, JobState } from '@/db/schema';
import type { BadgeTone } from '@/app/_components/ui';
import { formatDateTime } from '@/app/_components/ui';

export const JOB_KIND_LABEL: Record<JobKind, string> = { install: 'Install (mandatory)', offer: 'Offer', uninstall: 'Uninstall', inventory: 'Inventory' };
export const JOB_STATE_TONE: Record<JobState, BadgeTone> = { active: 'green', suspended: 'amber', cancelled: 'gray' };

export function timingLabel(job: Pick<Job, 'timing' | 'startAt' | 'deadline' | 'loadSpreading'>): string {
  const base = job.timing === 'asap' ? 'As soon as received' : job.timing === 'at' ? `At ${formatDateTime(job.startAt)}` : `In installation windows${job.loadSpreading ? ', spread' : ''}`;
  return job.deadline ? `${base}; deadline ${formatDateTime(job.deadline)}` : base;
}
