import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { listAudit } from '@/lib/audit/list-audit';
import { withDefaultsOnBadQuery } from '@/lib/http/list-query';
import { requirePageActor } from '@/lib/http/page-guard';
import { SearchForm } from '@/app/_components/list-controls';
import { Badge, EmptyState, PageHeader, Table, Td, buttonClass, formatDateTime } from '@/app/_components/ui';
import { describeAction } from './describe-action';

export const metadata: Metadata = { title: 'Audit log' };

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const actor = await requirePageActor('audit.view');
  const params = await searchParams;
  const page = await withDefaultsOnBadQuery(
    () => listAudit(getDb(), { actor, query: { q: params.q, before: params.before } }),
    () => listAudit(getDb(), { actor, query: {} }),
  );
  return (
    <>
      <PageHeader title="Audit log" description="Every change made by an admin or the system: who, what, when, and the values before and after." />
      <SearchForm id="audit-q" label="Search the audit log" placeholder="Search by actor, target or action" value={params.q} />
      {page.entries.length === 0 ? (
        <EmptyState icon="audit" title={params.q ? 'No entries match' : 'The audit log is empty'}>
          {params.q ? 'Try another search.' : 'Changes to users, cabinets, packages, jobs and settings are recorded here as they happen.'}
        </EmptyState>
      ) : (
        <Table head={['When', 'Who', 'What', 'Target', 'Change']} caption="Audit log entries">
          {page.entries.map((e) => (
            <tr key={e.id}>
              <Td className="text-slate-600">{formatDateTime(e.at)}</Td>
              <Td>{e.actorLabel}</Td>
              <Td>
                <Badge tone="blue">{e.action}</Badge> <span className="text-slate-600">{describeAction(e.action)}</span>
              </Td>
              <Td>{e.targetLabel ?? e.targetId ?? '—'}</Td>
              <Td className="max-w-md whitespace-normal font-mono text-xs text-slate-600">
                <ChangeSummary before={e.before} after={e.after} />
              </Td>
            </tr>
          ))}
        </Table>
      )}
      {page.nextBefore ? (
        <div className="mt-4 flex justify-end">
          <Link className={buttonClass('secondary')} href={`/audit?${new URLSearchParams({ ...(params.q ? { q: params.q } : {}), before: String(page.nextBefore) })}`}>
            Older entries →
          </Link>
        </div>
      ) : null}
    </>
  );
}

function ChangeSummary({ before, after }: { before: unknown; after: unknown }) {
  const b = (before ?? {}) as Record<string, unknown>;
  const a = (after ?? {}) as Record<string, unknown>;
  const keys = [...new Set([...Object.keys(b), ...Object.keys(a)])].filter((k) => JSON.stringify(b[k]) !== JSON.stringify(a[k]));
  if (keys.length === 0) return <>—</>;
  return (
    <ul>
      {keys.map((k) => (
        <li key={k}>
          {k}: {k in b ? JSON.stringify(b[k]) : '∅'} → {k in a ? JSON.stringify(a[k]) : '∅'}
        </li>
      ))}
    </ul>
  );
}
