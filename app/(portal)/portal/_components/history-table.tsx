import Link from 'next/link';
import { Table, Td, formatDateTime } from '@/app/_components/ui';
import type { HistoryEntry } from '@/lib/portal/list-my-history';
import { relativeTime } from '@/lib/schedule/relative-time';
import { OutcomeBadge } from './outcome-badge';

/** Attempts, newest first, each with its readable reason and, for a failure, the output's last lines. */
export function HistoryTable({ entries, now, showMachine = true }: { entries: HistoryEntry[]; now: Date; showMachine?: boolean }) {
  return (
    <Table head={['When', ...(showMachine ? ['Machine'] : []), 'What', 'Outcome', 'Why']} caption="Installation history">
      {entries.map((e) => (
        <tr key={e.id} data-testid={`history-${e.id}`}>
          <Td className="text-slate-600">
            <time dateTime={e.at} title={formatDateTime(e.at)}>
              {relativeTime(new Date(e.at), now)}
            </time>
          </Td>
          {showMachine ? (
            <Td>
              <Link href={`/portal/machines/${e.machineId}`} className="text-brand-700 hover:underline">
                {e.hostname}
              </Link>
            </Td>
          ) : null}
          <Td className="whitespace-normal">
            <div className="font-medium text-slate-900">{e.what}</div>
            {e.attempt > 1 ? <div className="text-xs text-slate-500">attempt {e.attempt}</div> : null}
          </Td>
          <Td>
            <OutcomeBadge outcome={e.outcome} jobKind={e.jobKind} />
          </Td>
          <Td className="max-w-md whitespace-normal text-slate-700">
            <div className="text-sm">{e.summary}</div>
            {e.outputTail.length ? (
              <pre aria-label="Last lines of the installer's output" className="mt-1 max-h-40 overflow-auto whitespace-pre-wrap break-all rounded bg-slate-900 p-2 text-xs text-slate-100">
                {e.outputTail.join('\n')}
              </pre>
            ) : null}
          </Td>
        </tr>
      ))}
    </Table>
  );
}
