'use client';

import { useState, useTransition } from 'react';
import { buttonClass } from '@/app/_components/ui';
import type { ActionState } from '@/lib/http/server-action';
import { ResultMessage } from '../_components/assignment-actions';
import { useChoiceFeedback } from '../_components/choice-feedback';
import { selectOfferAction } from '../_components/choice-actions';

interface OfferedMachine {
  machineId: string;
  hostname: string;
  allowInstallNow: boolean;
}

/**
 * Choose one package for one or more of the user's machines at once: a checkbox per machine it is
 * offered to (the only one checked already), "Install", and "Install now" where an offer allows
 * it. The server takes all the machines or none. Dispatched by hand so a refusal keeps the ticks.
 */
export function ChooseForm({ packageId, software, machines }: { packageId: string; software: string; machines: OfferedMachine[] }) {
  const [result, setResult] = useState<ActionState>(null);
  const [pending, startTransition] = useTransition();
  const report = useChoiceFeedback();
  const [checked, setChecked] = useState<string[]>(machines.length === 1 ? [machines[0].machineId] : []);
  const nowAllowed = machines.some((m) => m.allowInstallNow);
  const submit = (installNow: boolean) => {
    const data = new FormData();
    data.set('packageId', packageId);
    for (const id of checked) data.append('machineIds', id);
    data.set('installNow', String(installNow));
    startTransition(async () => {
      const outcome = await selectOfferAction(null, data);
      if (report && outcome?.ok) report(outcome);
      else setResult(outcome);
    });
  };
  const nothing = checked.length === 0;
  return (
    <form
      aria-label={`Choose ${software}`}
      className="flex flex-wrap items-center gap-x-4 gap-y-2 border-t border-slate-100 pt-3"
      onSubmit={(e) => {
        e.preventDefault();
        submit(false);
      }}
    >
      <fieldset className="flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
        <legend className="sr-only">Machines to install {software} on</legend>
        <span className="text-slate-600" aria-hidden>
          Install on
        </span>
        {machines.map((m) => (
          <label key={m.machineId} className="flex items-center gap-1.5">
            <input
              type="checkbox"
              name="machineIds"
              value={m.machineId}
              checked={checked.includes(m.machineId)}
              onChange={(e) => setChecked((c) => (e.target.checked ? [...c, m.machineId] : c.filter((id) => id !== m.machineId)))}
            />
            {m.hostname}
          </label>
        ))}
      </fieldset>
      <div className="flex gap-2">
        <button type="submit" disabled={pending || nothing} className={`${buttonClass('primary')} px-3 py-1.5`}>
          Install
        </button>
        {nowAllowed ? (
          <button type="button" disabled={pending || nothing} onClick={() => submit(true)} className={`${buttonClass('secondary')} px-3 py-1.5`}>
            Install now
          </button>
        ) : null}
      </div>
      {nothing ? <p className="w-full text-xs text-slate-500">Tick the machines to install it on.</p> : null}
      <div className="w-full [&>p]:text-left">
        <ResultMessage result={result} />
      </div>
    </form>
  );
}
