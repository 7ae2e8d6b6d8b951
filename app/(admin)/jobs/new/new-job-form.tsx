'use client';

import { useState } from 'react';
import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { createJobAction } from './actions';

interface Option {
  id: string;
  label: string;
}

const KINDS = [
  ['install', 'Install (mandatory)'],
  ['offer', 'Offer (the user chooses)'],
  ['uninstall', 'Uninstall'],
  ['inventory', 'Inventory (collect facts now)'],
] as const;

export function NewJobForm({ packages, machines, groups }: { packages: (Option & { expired: boolean })[]; machines: (Option & { hint: string })[]; groups: (Option & { hint: string })[] }) {
  const [kind, setKind] = useState<string>('install');
  const [timing, setTiming] = useState<string>('windows');
  return (
    <ActionForm action={createJobAction} label="New job" className="max-w-3xl space-y-5">
      {(state, pending) => (
        <>
          <Field id="job-kind" label="Kind" error={fieldError(state, 'kind')}>
            <select id="job-kind" name="kind" value={kind} onChange={(e) => setKind(e.target.value)} className={inputClass}>
              {KINDS.map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </Field>
          {kind !== 'inventory' ? (
            <Field id="job-package" label="Package" error={fieldError(state, 'packageId')}>
              <select id="job-package" name="packageId" className={inputClass} defaultValue="">
                <option value="" disabled>
                  Choose a package
                </option>
                {packages.map((p) => (
                  <option key={p.id} value={p.id} disabled={p.expired}>
                    {p.label}
                    {p.expired ? ' (expired)' : ''}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          {groups.length ? (
            <fieldset>
              <legend className="text-sm font-medium text-slate-800">Groups</legend>
              <p className="text-xs text-slate-500">Machines that join a chosen group later get the job too.</p>
              <div className="mt-2 grid max-h-48 gap-1 overflow-auto rounded-lg border border-slate-200 p-2 sm:grid-cols-2">
                {groups.map((g) => (
                  <label key={g.id} className="flex items-start gap-2 text-sm">
                    <input type="checkbox" name="groupIds" value={g.id} className="mt-1" />
                    <span>
                      {g.label}
                      <span className="block text-xs text-slate-500">{g.hint}</span>
                    </span>
                  </label>
                ))}
              </div>
            </fieldset>
          ) : null}
          <fieldset aria-describedby={fieldError(state, 'machineIds') ? 'job-machines-error' : undefined}>
            <legend className="text-sm font-medium text-slate-800">Machines</legend>
            <div className="mt-2 grid max-h-64 gap-1 overflow-auto rounded-lg border border-slate-200 p-2 sm:grid-cols-2">
              {machines.map((m) => (
                <label key={m.id} className="flex items-start gap-2 text-sm">
                  <input type="checkbox" name="machineIds" value={m.id} className="mt-1" />
                  <span>
                    {m.label}
                    <span className="block text-xs text-slate-500">{m.hint}</span>
                  </span>
                </label>
              ))}
            </div>
            {fieldError(state, 'machineIds') ? (
              <p id="job-machines-error" role="alert" className="mt-1 text-sm text-rose-700">
                {fieldError(state, 'machineIds')}
              </p>
            ) : null}
          </fieldset>
          <fieldset>
            <legend className="text-sm font-medium text-slate-800">When</legend>
            <div className="mt-2 space-y-1 text-sm">
              {[
                ['windows', 'Inside each machine’s installation windows'],
                ['asap', 'As soon as received'],
                ['at', 'At a date and time'],
              ].map(([value, label]) => (
                <label key={value} className="flex items-center gap-2">
                  <input type="radio" name="timing" value={value} checked={timing === value} onChange={() => setTiming(value)} />
                  {label}
                </label>
              ))}
            </div>
          </fieldset>
          {timing === 'at' ? (
            <Field id="job-start" label="Install at (UTC)" error={fieldError(state, 'startAt')}>
              <input id="job-start" name="startAt" type="datetime-local" className={inputClass} />
            </Field>
          ) : null}
          {timing === 'windows' ? (
            <label className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="loadSpreading" /> Spread the load: each machine starts at a random minute of its window
            </label>
          ) : null}
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="job-not-before" label="Not before (UTC, optional)" error={fieldError(state, 'notBefore')}>
              <input id="job-not-before" name="notBefore" type="datetime-local" className={inputClass} />
            </Field>
            <Field id="job-deadline" label="Deadline (UTC, optional)" error={fieldError(state, 'deadline')} hint={kind === 'offer' ? 'The offer expires then.' : 'After it, installs run at the first chance, even outside windows.'}>
              <input id="job-deadline" name="deadline" type="datetime-local" className={inputClass} />
            </Field>
          </div>
          <Field id="job-name" label="Name (optional)" error={fieldError(state, 'name')} hint="Default: the kind and the package.">
            <input id="job-name" name="name" className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>
            Create job
          </button>
        </>
      )}
    </ActionForm>
  );
}
