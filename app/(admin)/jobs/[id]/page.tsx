import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { assignmentStateEnum, type AssignmentState } from '@/db/schema';
import { can } from '@/lib/auth/permissions';
import { loadOr404 } from '@/lib/http/load-or-404';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { getJob } from '@/lib/jobs/get-job';
import { AssignmentStateBadge } from '@/app/_components/assignment-state-badge';
import { JobProgress } from '@/app/_components/job-progress';
import { doneOf } from '@/lib/jobs/job-counts';
import { Pager, pageHref } from '@/app/_components/list-controls';
import { Badge, Card, EmptyState, PageHeader, StatCard, Table, Td, formatDateTime } from '@/app/_components/ui';
import { JobPackage } from '../job-package';
import { JOB_KIND_LABEL, JOB_STATE_TONE, timingLabel, userOptionsLabel } from '../labels';
import { JobActions } from './job-actions';
import { JobOutcomesCard, loadJobOutcomes } from './job-outcomes-card';

export const metadata: Metadata = { title: 'Job' };

export default async function JobPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('admin.view');
  const { id } = await params;
  const query = await searchParams;
  const outcomes = loadJobOutcomes(actor, id);
  const view = await loadOr404(() => withDefaultsOnBadQuery(() => getJob(getDb(), { actor, id, query: { state: query.state, page: query.page } }), () => getJob(getDb(), { actor, id })));
  const { job, counts, total } = view;
  // What a completed assignment did: installed, removed (uninstall) or done (inventory).
  const done = doneOf(job.kind);
  const userOptions = userOptionsLabel(job);
  const filterHref = (state?: AssignmentState) => (state ? `/jobs/${id}?state=${state}` : `/jobs/${id}`);
  return (
    <>
      <PageHeader
        title={job.name}
        description={`${JOB_KIND_LABEL[job.kind]} · ${timingLabel(job)} · created ${formatDateTime(job.createdAt)}`}
        actions={<Badge tone={JOB_STATE_TONE[job.state]}>{job.state}</Badge>}
      />
      {job.packageLabel || userOptions ? (
        <div className="-mt-4 mb-6 space-y-1 text-sm text-slate-600">
          {job.packageLabel ? (
            <p>
              Package: <JobPackage job={job} />
            </p>
          ) : null}
          {userOptions ? <p data-testid="job-user-options">{userOptions}</p> : null}
        </div>
      ) : null}
      <div className={`mb-6 grid gap-4 ${job.kind === 'offer' ? 'sm:grid-cols-5' : 'sm:grid-cols-4'}`}>
        <StatCard label="Machines" value={total} />
        <StatCard label={done.word[0].toUpperCase() + done.word.slice(1)} value={counts[done.key] ?? 0} />
        <StatCard label="Failed" value={counts.failed ?? 0} />
        <StatCard label="Waiting or running" value={(counts.pending ?? 0) + (counts.downloading ?? 0) + (counts.ready ?? 0) + (counts.installing ?? 0) + (counts.offered ?? 0) + (counts.held ?? 0)} />
        {/* Not finished and not a failure: the user may still restore the offer while it lasts. */}
        {job.kind === 'offer' ? <StatCard label="Declined by users" value={counts.declined ?? 0} hint="They may restore it until the offer expires." /> : null}
      </div>
      <Card className="mb-6">
        <div className="flex flex-wrap items-center justify-between gap-4">
          <div className="flex-1">
            <JobProgress kind={job.kind} counts={counts} total={total} />
          </div>
          {can(actor.role, 'deploy.manage') ? <JobActions id={job.id} state={job.state} failed={counts.failed ?? 0} /> : null}
        </div>
        <nav aria-label="Filter by state" className="mt-4 flex flex-wrap gap-2 text-sm">
          <Link href={filterHref()} className={`rounded px-2 py-1 ${!query.state ? 'bg-slate-800 text-white' : 'bg-slate-100 text-slate-700'}`}>
            All {total}
          </Link>
          {assignmentStateEnum.enumValues
            .map((s) => ({ s, n: counts[s === 'installed' ? done.key : s] }))
            .filter(({ n }) => n)
            .map(({ s, n }) => (
              <Link key={s} href={filterHref(s)} className={`rounded px-2 py-1 ${query.state === s ? 'bg-slate-800 text-white' : 'bg-slate-100 text-slate-700'}`}>
                {s === 'installed' ? done.word : s} {n}
              </Link>
            ))}
        </nav>
      </Card>
      <JobOutcomesCard outcomes={outcomes} jobKind={job.kind} />
      {view.assignments.length === 0 ? (
        <EmptyState icon="machine" title="No machines in this view">Choose another state above.</EmptyState>
      ) : (
        // Plain links in the rows: each next/link is a client component the server serializes and
        // the browser hydrates, ~14 ms of server CPU per page of rows (bench/pages.ts); a row's link
        // only leaves for another page, which a plain link does as well.
        <Table head={['Machine', 'State', 'Attempt', 'Last change', 'Result']} caption="Machines of this job">
          {view.assignments.map((a) => (
            <tr key={a.id} data-testid={`job-assignment-${a.hostname}`}>
              <Td>
                <a href={`/machines/${a.machineId}`} className="font-medium text-brand-700 hover:underline">
                  {a.hostname}
                </a>
              </Td>
              <Td>
                <AssignmentStateBadge state={a.state} jobKind={job.kind} />
              </Td>
              <Td className="text-slate-600">{a.attempt}</Td>
              <Td className="text-slate-600">{formatDateTime(a.updatedAt)}</Td>
              <Td className="max-w-md text-xs text-slate-600">
                {a.exitCode !== null ? <div>exit code {a.exitCode}</div> : null}
                {a.reason ? <div>{a.reason}</div> : null}
                <a href={`/machines/${a.machineId}#assignment-${a.id}`} className="text-brand-700 hover:underline">
                  Output and history
                </a>
              </Td>
            </tr>
          ))}
        </Table>
      )}
      <Pager page={view.page} total={view.matching} pageSize={view.pageSize} href={(page) => pageHref(`/jobs/${id}`, query, page)} />
    </>
  );
}
