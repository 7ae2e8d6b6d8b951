import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { JOB_OUTCOME_STATES } from '@/lib/jobs/job-outcomes';
import { listMyHistory } from '@/lib/portal/list-my-history';
import { Pager, SearchForm, pageHref } from '@/app/_components/list-controls';
import { Badge, EmptyState, PageHeader } from '@/app/_components/ui';
import { HistoryTable } from '../_components/history-table';

export const metadata: Metadata = { title: 'History' };

const OUTCOME_LABEL: Record<(typeof JOB_OUTCOME_STATES)[number], string> = { installed: 'Installed', failed: 'Failed', skipped: 'Skipped', cancelled: 'Cancelled', expired: 'Expired' };

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('portal.use');
  const params = await searchParams;
  const now = new Date();
  const result = await withDefaultsOnBadQuery(
    () => listMyHistory(getDb(), { actor, query: { machine: params.machine, outcome: params.outcome, q: params.q, page: params.page } }),
    () => listMyHistory(getDb(), { actor }),
  );
  const { filters } = result;
  const filtered = Object.values(filters).some(Boolean);
  // A filter link keeps the other filters and starts again at page 1.
  const hrefWith = (change: Record<string, string | undefined>) => {
    const next = Object.fromEntries(Object.entries({ ...filters, ...change }).filter((e): e is [string, string] => !!e[1]));
    const qs = new URLSearchParams(next).toString();
    return qs ? `/portal/history?${qs}` : '/portal/history';
  };
  return (
    <>
      <PageHeader title="History" description="Every installation attempt on your machines, newest first, with its outcome and the reason." actions={<Badge>{result.total === 1 ? '1 attempt' : `${result.total} attempts`}</Badge>} />
      <div className="mb-4 space-y-3">
        <FilterChips label="Machine" current={filters.machine} options={result.machines.map((m) => [m.id, m.hostname])} href={(v) => hrefWith({ machine: v })} />
        <FilterChips label="Outcome" current={filters.outcome} options={JOB_OUTCOME_STATES.map((s) => [s, OUTCOME_LABEL[s]])} href={(v) => hrefWith({ outcome: v })} />
      </div>
      <SearchForm id="history-q" label="Search by package" placeholder="Search by package or job name" value={filters.q} keep={{ machine: filters.machine, outcome: filters.outcome }} />
      {result.entries.length === 0 ? (
        <EmptyState icon="history" title={filtered ? 'No attempts match' : 'No history yet'}>
          {filtered ? (
            <>
              Change the filters or <Link href="/portal/history" className="text-brand-700 underline">show every attempt</Link>.
            </>
          ) : (
            'Each install, skip and failure on your machines will be listed here with the reason, once their agents have tried something.'
          )}
        </EmptyState>
      ) : (
        <HistoryTable entries={result.entries} now={now} />
      )}
      <Pager page={result.page} total={result.total} pageSize={result.pageSize} href={(page) => pageHref('/portal/history', params, page)} />
    </>
  );
}

/** One filter as a row of links: "Any" plus each choice; the current one is marked. */
function FilterChips({ label, current, options, href }: { label: string; current?: string; options: [string, string][]; href: (value: string | undefined) => string }) {
  const chip = (value: string | undefined, text: string) => {
    const active = current === value;
    return (
      <Link
        key={value ?? 'any'}
        href={href(value)}
        aria-current={active ? 'true' : undefined}
        className={`rounded-full px-3 py-1 text-xs font-medium ring-1 ring-inset ${active ? 'bg-brand-600 text-white ring-brand-600' : 'bg-white text-slate-700 ring-slate-300 hover:bg-slate-50'}`}
      >
        {text}
      </Link>
    );
  };
  return (
    <nav aria-label={`Filter by ${label.toLowerCase()}`} className="flex flex-wrap items-center gap-2">
      <span className="w-20 text-xs font-medium uppercase tracking-wide text-slate-500">{label}</span>
      {chip(undefined, 'Any')}
      {options.map(([value, text]) => chip(value, text))}
    </nav>
  );
}
