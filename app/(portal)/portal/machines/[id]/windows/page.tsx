import type { Metadata } from 'next';
import { getDb } from '@/db/client';
import { loadOr404 } from '@/lib/http/load-or-404';
import { requirePageActor } from '@/lib/http/page-guard';
import { getMyWindows } from '@/lib/portal/get-my-windows';
import { describeWindows } from '@/lib/schedule/describe-windows';
import { describeEnvelope, formatHours } from '@/lib/schedule/guardrails';
import { ViolationList } from '@/app/_components/guardrail-violations';
import { Badge, Card, LinkButton, PageHeader } from '@/app/_components/ui';
import { WindowsEditor } from '@/app/_components/windows-editor';
import { describeOpeningInZone } from '@/app/_components/zoned-time';
import { setMyWindowsAction } from './actions';

export const metadata: Metadata = { title: 'Installation windows' };

const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

export default async function Page({ params }: { params: Promise<{ id: string }> }) {
  const actor = await requirePageActor('portal.use');
  const { id } = await params;
  const now = new Date();
  const w = await loadOr404(() => getMyWindows(getDb(), { actor, machineId: id, now }));
  const zone = w.timeZone;
  const limits = w.guardrails.filter((g) => g.windowEnvelope || g.minOpenMinutes);
  return (
    <>
      <PageHeader
        title={`Installation windows · ${w.hostname}`}
        description={`When this machine may install software. Times are in its own time zone, ${zone}, wherever you are.`}
        actions={
          <>
            <LinkButton href={`/portal/machines/${w.id}/groups`} kind="secondary">
              Groups
            </LinkButton>
            <LinkButton href="/portal/windows" kind="secondary">
              All machines
            </LinkButton>
          </>
        }
      />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="space-y-6 lg:col-span-2">
          <Card title="When it may install">
            <div className="mb-4 space-y-2 text-sm text-slate-700" data-testid="windows-now">
              {w.source === 'own' ? (
                <p>
                  <Badge tone="blue">Your own windows</Badge> {describeWindows(w.windows)}
                </p>
              ) : w.source === 'groups' ? (
                <p>
                  <Badge>Your groups’ defaults</Badge> {`${describeWindows(w.windows)}. Edit them below to set your own.`}
                </p>
              ) : (
                <p>
                  <Badge>Any time</Badge> Neither you nor your groups set windows: it installs whenever something is due.
                </p>
              )}
              {w.violations.length ? (
                <div className="rounded-lg bg-amber-50 px-3 py-2 text-amber-900" role="status">
                  <p className="font-medium">Your groups’ rules changed since you set these windows. They still apply; the next time you save, they must fit:</p>
                  <ViolationList violations={w.violations} />
                </div>
              ) : null}
            </div>
            <WindowsEditor
              action={setMyWindowsAction}
              id={w.id}
              windows={w.ownWindows ?? w.groupDefaultWindows}
              hidden={{ timeZone: zone }}
              guardrails={w.guardrails}
              clearLabel="Clear: use my groups’ defaults"
              zoneNote={`Times are in ${zone}.`}
              emptyNote="No windows: saving this lets the machine install any time. To follow your groups’ defaults instead, press Clear."
            />
          </Card>
          <Card title="Next five openings">
            <ol className="space-y-1.5 text-sm text-slate-800" data-testid="next-openings">
              {w.nextOpenings.map((o) => (
                <li key={o.start} className="flex items-center gap-2">
                  <span aria-hidden className="h-1.5 w-1.5 rounded-full bg-brand-500" />
                  {describeOpeningInZone(o, zone, now)}
                </li>
              ))}
            </ol>
            <p className="mt-3 text-xs text-slate-500">
              From the saved windows and blackout dates, worked out exactly as the machine’s agent does. Optional installs you chose wait for these; a mandatory install past its deadline may run
              outside them (never on a blackout day).
            </p>
          </Card>
        </div>
        <div className="space-y-6">
          <Card title="Rules from your groups">
            {limits.length === 0 ? (
              <p className="text-sm text-slate-600">{w.groups.length ? 'Your groups set no limits: choose any hours.' : 'This machine is in no group: choose any hours.'}</p>
            ) : (
              <ul className="space-y-3 text-sm text-slate-700" data-testid="guardrails">
                {limits.map((g) => (
                  <li key={g.groupId}>
                    <div className="font-medium text-slate-900">{g.groupName}</div>
                    {g.windowEnvelope ? <div>{`Windows only ${describeEnvelope(g.windowEnvelope)}`}</div> : null}
                    {g.minOpenMinutes ? <div>{`At least ${formatHours(g.minOpenMinutes)} a week open, so mandatory installs cannot be starved`}</div> : null}
                  </li>
                ))}
              </ul>
            )}
          </Card>
          <Card title="Blackout dates">
            {w.blackoutDates.length === 0 ? (
              <p className="text-sm text-slate-600">None coming up.</p>
            ) : (
              <>
                <p className="mb-2 text-xs text-slate-500">Set by your groups: nothing starts on these days, in the machine’s own time zone.</p>
                <ul className="space-y-1 text-sm text-slate-800" data-testid="blackout-dates">
                  {w.blackoutDates.map((d) => (
                    <li key={d}>{dayLabel(d)}</li>
                  ))}
                </ul>
              </>
            )}
          </Card>
        </div>
      </div>
    </>
  );
}
