import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { can } from '@/lib/auth/permissions';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { listJobs } from '@/lib/jobs/list-jobs';
import { JobProgress } from '@/app/_components/job-progress';
import { Pager, SearchForm, pageHref } from '@/app/_components/list-controls';
import { Badge, EmptyState, LinkButton, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { JobPackage } from './job-package';
import { JOB_KIND_LABEL, JOB_STATE_TONE, timingLabel } from './labels';

export const metadata: Metadata = { title: 'Jobs' };

export default async function JobsPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('admin.view');
  const params = await searchParams;
  const result = await withDefaultsOnBadQuery(
    () => listJobs(getDb(), { actor, query: { q: params.q, page: params.page } }),
    () => listJobs(getDb(), { actor }),
  );
  const manage = can(actor.role, 'deploy.manage');
  return (
    <>
      <PageHeader
        title="Jobs"
        description="Install, offer, uninstall and inventory instructions, with live progress per machine."
        actions={manage ? <LinkButton href="/jobs/new">New job</LinkButton> : undefined}
      />
      <SearchForm id="jobs-q" label="Search jobs" placeholder="Search by job name" value={params.q} />
      {result.jobs.length === 0 ? (
        <EmptyState icon="job" title={params.q ? 'No jobs match' : 'No jobs yet'} action={manage && !params.q ? <LinkButton href="/jobs/new">Create a job</LinkButton> : undefined}>
          {params.q ? 'Try another search.' : 'A job sends one package to machines, at once, at a time, or inside each machine’s installation windows. It needs a package and an enrolled machine.'}
        </EmptyState>
      ) : (
        <Table head={['Job', 'Kind', 'Timing', 'Progress', 'State', 'Created']} caption="Jobs">
          {result.jobs.map((j) => (
            <tr key={j.id} data-testid={`job-row-${j.name}`}>
              <Td>
                <Link href={`/jobs/${j.id}`} className="font-medium text-brand-700 hover:underline">
                  {j.name}
                </Link>
                <div className="text-xs text-slate-500">
                  <JobPackage job={j} />
                </div>
              </Td>
              <Td className="text-slate-600">{JOB_KIND_LABEL[j.kind]}</Td>
              <Td className="text-slate-600">{timingLabel(j)}</Td>
              <Td>
                <JobProgress kind={j.kind} counts={j.counts} total={j.total} />
              </Td>
              <Td>
                <Badge tone={JOB_STATE_TONE[j.state]}>{j.state}</Badge>
              </Td>
              <Td className="text-slate-600">{formatDateTime(j.createdAt)}</Td>
            </tr>
          ))}
        </Table>
      )}
      <Pager page={result.page} total={result.total} pageSize={result.pageSize} href={(page) => pageHref('/jobs', params, page)} />
    </>
  );
}
