import { getDb } from '@/db/client';
import type { JobKind } from '@/db/schema';
import type { Actor } from '@/lib/auth/permissions';
import { doneOf } from '@/lib/jobs/job-counts';
import { getJobOutcomes, JOB_OUTCOME_STATES, type JobOutcomes } from '@/lib/jobs/job-outcomes';
import { OutcomeChart, type OutcomeSeries } from '@/app/_components/outcome-chart';
import { Card } from '@/app/_components/ui';

const LABEL: Record<(typeof JOB_OUTCOME_STATES)[number], string> = {
  installed: 'Installed',
  failed: 'Failed',
  skipped: 'Skipped',
  cancelled: 'Cancelled',
  expired: 'Expired',
};

/**
 * Starts loading a job's outcomes. The job page calls it before it loads the job itself, so the
 * chart's statements (one, 14-33 ms at 10,000 machines, bench/pages.ts; see getJobOutcomes) run
 * beside getJob's instead of after the page's first render pass. A job that does not exist is the
 * page's 404, reported by getJob; the early failure here is then never awaited and is dropped.
 */
export function loadJobOutcomes(actor: Actor, jobId: string): Promise<JobOutcomes> {
  const outcomes = getJobOutcomes(getDb(), { actor, id: jobId, now: new Date() });
  outcomes.catch(() => undefined);
  return outcomes;
}

/** The job's outcomes over time, from loadJobOutcomes. */
export async function JobOutcomesCard({ outcomes: loading, jobKind }: { outcomes: Promise<JobOutcomes>; jobKind: JobKind }) {
  const outcomes = await loading;
  const series: OutcomeSeries[] = JOB_OUTCOME_STATES.map((state) => ({ state, label: state === 'installed' ? doneOf(jobKind).label : LABEL[state] }));
  return (
    <Card title="Outcomes over time" className="mb-6">
      {outcomes.total > 0 ? (
        <OutcomeChart title="Outcomes of this job" buckets={outcomes.buckets} series={series} />
      ) : (
        <p className="text-sm text-slate-600">
          No outcomes yet. As machines finish this job (installed, failed, skipped, cancelled or expired), the chart fills in; machines that are offline report when they next poll.
        </p>
      )}
    </Card>
  );
}
