'use client';

import { useState, useTransition } from 'react';
import { buttonClass, type ButtonKind } from '@/app/_components/ui';
import type { AssignmentState, JobKind } from '@/db/schema';
import type { ActionState } from '@/lib/http/server-action';
import { useChoiceFeedback } from './choice-feedback';
import { declineOfferAction, deferInstallAction, installNowAction, restoreOfferAction, selectOfferAction, uninstallOwnAction, unselectOfferAction } from './choice-actions';

/** What the buttons need to know about one assignment of the user's machine. */
export interface AssignmentChoice {
  machineId: string;
  hostname: string;
  assignmentId: string;
  /** "Firefox 128.5", for the buttons' accessible names. */
  software: string;
  jobKind: JobKind;
  state: AssignmentState;
  runNow: boolean;
  /** The job lets the user install it at once, outside the windows. */
  allowInstallNow: boolean;
  /** Mandatory installs: deferrals used and the job's budget (null or 0: none). */
  deferrals?: number;
  deferralLimit?: number | null;
  /** Offers: self-service with an uninstall command, so the user may remove it once installed. */
  uninstallable?: boolean;
  /** The latest uninstall of it on this machine since it was installed, if any. */
  removal?: AssignmentState | null;
}

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;
const NOT_STARTED: AssignmentState[] = ['pending', 'downloading', 'ready'];

/**
 * The end user's buttons for one assignment of their machine, shown by what its job and state
 * allow: Install / Install now / Reject for an offer (withInstall), Show again for a rejected one,
 * Change my mind and Install now for a chosen one, Install now and Defer ("2 deferrals left") for
 * a mandatory install, Uninstall for a self-service package they installed. The server checks
 * every rule again; these only leave out what would certainly be refused. Each button's name says
 * what and where ("Defer Firefox 128.5 on pc-1"), so a page with many of them stays navigable.
 */
export function AssignmentActions({ choice, withInstall = false }: { choice: AssignmentChoice; withInstall?: boolean }) {
  const [result, setResult] = useState<ActionState>(null);
  const [pending, startTransition] = useTransition();
  const [confirmUninstall, setConfirmUninstall] = useState(false);
  const report = useChoiceFeedback();
  const c = choice;
  const on = `${c.software} on ${c.hostname}`;
  const run = (action: Action, extra: Record<string, string> = {}) => {
    const data = new FormData();
    data.set('machineId', c.machineId);
    data.set('assignmentId', c.assignmentId);
    for (const [k, v] of Object.entries(extra)) data.set(k, v);
    startTransition(async () => {
      const outcome = await action(null, data);
      if (report) report(outcome);
      else setResult(outcome);
    });
  };
  const button = (label: string, action: Action, kind: ButtonKind = 'secondary', extra?: Record<string, string>) => (
    <button type="button" key={label} aria-label={`${label} ${on}`} disabled={pending} onClick={() => run(action, extra)} className={`${buttonClass(kind)} px-2.5 py-1.5 text-xs`}>
      {label}
    </button>
  );

  const notStarted = NOT_STARTED.includes(c.state);
  const limit = c.deferralLimit ?? 0;
  const left = Math.max(0, limit - (c.deferrals ?? 0));
  const buttons = [];
  if (c.jobKind === 'offer' && c.state === 'offered') {
    if (withInstall) buttons.push(button('Install', selectOfferAction, 'primary', { machineIds: c.machineId }));
    if (withInstall && c.allowInstallNow) buttons.push(button('Install now', selectOfferAction, 'secondary', { machineIds: c.machineId, installNow: 'true' }));
    buttons.push(button('Reject', declineOfferAction));
  }
  if (c.jobKind === 'offer' && c.state === 'declined') buttons.push(button('Show again', restoreOfferAction));
  if ((c.jobKind === 'offer' || c.jobKind === 'install') && notStarted && c.allowInstallNow && !c.runNow) buttons.push(button('Install now', installNowAction, 'primary'));
  if (c.jobKind === 'offer' && notStarted) buttons.push(button('Change my mind', unselectOfferAction));
  if (c.jobKind === 'install' && notStarted && left > 0) buttons.push(button('Defer', deferInstallAction));
  const removable = c.jobKind === 'offer' && c.state === 'installed' && c.uninstallable && (!c.removal || ['failed', 'cancelled', 'expired', 'skipped'].includes(c.removal));

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex flex-wrap items-center justify-end gap-1.5">
        {buttons}
        {removable && !confirmUninstall ? (
          <button type="button" aria-label={`Uninstall ${on}`} disabled={pending} onClick={() => setConfirmUninstall(true)} className={`${buttonClass('secondary')} px-2.5 py-1.5 text-xs`}>
            Uninstall
          </button>
        ) : null}
        {removable && confirmUninstall ? (
          <span role="group" aria-label={`Confirm uninstalling ${on}`} className="flex items-center gap-1.5 text-xs text-slate-700">
            Remove it from {c.hostname}?
            <button
              type="button"
              autoFocus
              disabled={pending}
              onClick={() => {
                setConfirmUninstall(false);
                run(uninstallOwnAction);
              }}
              className={`${buttonClass('danger')} px-2.5 py-1.5 text-xs`}
            >
              Yes, uninstall
            </button>
            <button type="button" disabled={pending} onClick={() => setConfirmUninstall(false)} className={`${buttonClass('secondary')} px-2.5 py-1.5 text-xs`}>
              Keep it
            </button>
          </span>
        ) : null}
      </div>
      {c.jobKind === 'install' && notStarted && limit > 0 ? (
        <p className="text-xs text-slate-500" data-testid={`deferrals-${c.assignmentId}`}>
          {left > 0 ? `${left} deferral${left === 1 ? '' : 's'} left` : `No deferrals left (${c.deferrals} of ${limit} used)`}
        </p>
      ) : null}
      {c.runNow && notStarted ? <p className="text-xs text-slate-500">Installs as soon as the machine checks in</p> : null}
      <ResultMessage result={result} />
    </div>
  );
}

/** The last action's outcome, announced to screen readers: success politely, a refusal at once. */
export function ResultMessage({ result }: { result: ActionState }) {
  if (!result) return null;
  return result.ok ? (
    result.message ? (
      <p role="status" className="max-w-sm rounded bg-emerald-50 px-2 py-1 text-right text-xs text-emerald-800">
        {result.message}
      </p>
    ) : null
  ) : (
    <p role="alert" className="max-w-sm rounded bg-rose-50 px-2 py-1 text-right text-xs text-rose-700">
      {result.error.message}
    </p>
  );
}
