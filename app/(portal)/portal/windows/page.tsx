import type { Metadata } from 'next';
import Link from 'next/link';
import { getDb } from '@/db/client';
import { describeWindows } from '@/lib/schedule/describe-windows';
import { requirePageActor } from '@/lib/http/page-guard';
import { listMyWindows } from '@/lib/portal/list-my-windows';
import { Badge, EmptyState, PageHeader, Table, Td } from '@/app/_components/ui';
import { describeOpeningInZone } from '@/app/_components/zoned-time';

export const metadata: Metadata = { title: 'Installation windows' };

const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short' });
const SOURCE = { own: 'Your own', groups: 'Your groups’ defaults', any: 'Any time' } as const;

export default async function Page() {
  const actor = await requirePageActor('portal.use');
  const now = new Date();
  const machines = await listMyWindows(getDb(), { actor, now });
  return (
    <>
      <PageHeader title="Installation windows" description="The hours each of your machines may install software, in the machine’s own time zone. Mandatory installs past their deadline may still run outside them." />
      {machines.length === 0 ? (
        <EmptyState icon="clock" title="No machines to schedule">
          Once you own an enrolled machine, set here when it may install: for example weekday evenings after 18:00. Ask your IT team if a machine of yours is missing.
        </EmptyState>
      ) : (
        <Table head={['Machine', 'Windows', 'Next opening', '']} caption="Your machines’ installation windows">
          {machines.map((m) => (
            <tr key={m.id} data-testid={`windows-row-${m.hostname}`}>
              <Td>
                <div className="font-medium text-slate-900">{m.hostname}</div>
                <div className="text-xs text-slate-500">{m.timeZone}</div>
              </Td>
              <Td className="text-slate-700">
                <div className="flex items-center gap-2">
                  <Badge tone={m.source === 'own' ? 'blue' : 'gray'}>{SOURCE[m.source]}</Badge>
                  {m.violations ? <Badge tone="amber">outside your groups’ rules</Badge> : null}
                </div>
                {m.windows.length ? <div className="mt-1 max-w-md whitespace-normal text-xs text-slate-600">{describeWindows(m.windows)}</div> : null}
                {m.blackoutDates.length ? <div className="mt-1 max-w-md whitespace-normal text-xs text-slate-500">{`Nothing installs on ${m.blackoutDates.map(dayLabel).join(', ')}`}</div> : null}
              </Td>
              <Td className="text-slate-700">{describeOpeningInZone(m.nextOpening, m.timeZone, now)}</Td>
              <Td className="text-right">
                <div className="flex justify-end gap-3 text-sm">
                  <Link href={`/portal/machines/${m.id}/windows`} className="font-medium text-brand-700 hover:underline">
                    Edit<span className="sr-only"> windows of {m.hostname}</span>
                  </Link>
                  <Link href={`/portal/machines/${m.id}/groups`} className="text-brand-700 hover:underline">
                    Groups<span className="sr-only"> of {m.hostname}</span>
                  </Link>
                </div>
              </Td>
            </tr>
          ))}
        </Table>
      )}
    </>
  );
}
