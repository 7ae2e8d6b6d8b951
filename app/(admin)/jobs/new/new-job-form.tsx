'use client';

import { startTransition, useActionState, useState } from 'react';
import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import type { JobPreview } from '@/lib/jobs/preview-job';
import { createJobAction, previewJobAction } from './actions';

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
  const [previewState, preview, previewing] = useActionState(previewJobAction, null);
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
              <CheckList name="groupIds" options={groups} className="max-h-48" />
            </fieldset>
          ) : null}
          <fieldset aria-describedby={fieldError(state, 'machineIds') ? 'job-machines-error' : undefined}>
            <legend className="text-sm font-medium text-slate-800">Machines</legend>
            <CheckList name="machineIds" options={machines} className="max-h-64" />
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
          <div className="grid gap-4 sm:grid-cols-2">
            <Field id="job-name" label="Name (optional)" error={fieldError(state, 'name')} hint="Default: the kind and the package.">
              <input id="job-name" name="name" className={inputClass} />
            </Field>
            {kind !== 'inventory' ? (
              <Field id="job-max-concurrent" label="At most this many machines install at once (optional)" error={fieldError(state, 'maxConcurrent') ?? fieldError(previewState, 'maxConcurrent')} hint="Empty: no cap. The server hands out turns; a machine waits for one.">
                <input id="job-max-concurrent" name="maxConcurrent" type="number" min={1} inputMode="numeric" className={inputClass} />
              </Field>
            ) : null}
          </div>
          {kind === 'install' || kind === 'offer' ? (
            <fieldset className="space-y-3 rounded-lg border border-slate-200 p-4">
              <legend className="px-1 text-sm font-medium text-slate-800">What the machine’s user may do</legend>
              {kind === 'install' ? (
                <Field
                  id="job-deferral-limit"
                  label="Deferrals per machine (optional)"
                  error={fieldError(state, 'deferralLimit') ?? fieldError(previewState, 'deferralLimit')}
                  hint="How many times the user may postpone this install to a later installation window, never past the deadline. Empty or 0: they cannot postpone it."
                >
                  <input id="job-deferral-limit" name="deferralLimit" type="number" min={0} max={100} inputMode="numeric" className={`${inputClass} max-w-40`} />
                </Field>
              ) : null}
              <div>
                <label className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="allowInstallNow" aria-describedby="job-install-now-hint" /> Let the user install it now, outside their installation windows
                </label>
                {fieldError(state, 'allowInstallNow') ? (
                  <p id="job-install-now-hint" role="alert" className="mt-1 text-sm text-rose-600">
                    {fieldError(state, 'allowInstallNow')}
                  </p>
                ) : (
                  <p id="job-install-now-hint" className="mt-1 text-xs text-slate-500">
                    {kind === 'offer' ? 'The portal shows “Install now” beside “Install” for this offer.' : 'The portal offers “Install now” on the user’s machine until the install starts.'}
                  </p>
                )}
              </div>
            </fieldset>
          ) : null}
          <PreviewPanel state={previewState} />
          <div className="flex gap-3">
            {/* Dispatched by hand, not as the form's action: a form action resets every field when it ends. */}
            <button
              type="button"
              onClick={(e) => {
                const fields = new FormData(e.currentTarget.form!);
                startTransition(() => preview(fields));
              }}
              disabled={pending || previewing}
              className={buttonClass('secondary')}
            >
              {previewing ? 'Working it out…' : 'Preview'}
            </button>
            <button type="submit" disabled={pending} className={buttonClass('primary')}>
              Create job
            </button>
          </div>
        </>
      )}
    </ActionForm>
  );
}

type PreviewState = Awaited<ReturnType<typeof previewJobAction>>;

/** What the job would do, from the server's preview: counts and when it would start. */
function PreviewPanel({ state }: { state: PreviewState }) {
  if (!state) return null;
  if (!state.ok) {
    return (
      <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700">
        Cannot preview: {state.error.message}
      </p>
    );
  }
  const p = JSON.parse(state.data?.preview ?? '{}') as JobPreview;
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString('en-GB', { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'short' }) + ' UTC' : '—');
  return (
    <section aria-label="Preview" role="status" className="rounded-xl border border-brand-200 bg-brand-50/40 p-4 text-sm">
      <h3 className="mb-2 font-semibold text-slate-800">If you create this job</h3>
      <ul className="grid gap-2 sm:grid-cols-2">
        <li>
          <strong data-testid="preview-machines">{p.machines}</strong> {p.machines === 1 ? 'machine gets' : 'machines get'} an assignment
        </li>
        <li>
          <strong data-testid="preview-installed">{p.alreadyInstalled}</strong> already have this version (Depot installed it)
        </li>
        <li>
          <strong data-testid="preview-fail">{p.failConditions}</strong> fail its installation conditions on their last inventory
        </li>
        <li>
          <strong>{p.noInventory}</strong> have not reported inventory yet (checked on the machine)
        </li>
        <li>
          First start: <strong data-testid="preview-first">{when(p.firstStart)}</strong>
        </li>
        <li>
          Last start: <strong data-testid="preview-last">{when(p.lastStart)}</strong>
        </li>
      </ul>
      {p.failExamples.length ? (
        <ul className="mt-3 list-disc pl-5 text-xs text-slate-600">
          {p.failExamples.map((f) => (
            <li key={f.hostname}>
              {f.hostname}: {f.reason}
            </li>
          ))}
        </ul>
      ) : null}
      {p.machines === 0 ? <p className="mt-2 text-rose-700">No machine would get it: the chosen groups have no members yet.</p> : null}
    </section>
  );
}

/** Checkboxes of one name, each with a hint under its label. */
function CheckList({ name, options, className }: { name: string; options: (Option & { hint: string })[]; className: string }) {
  return (
    <div className={`mt-2 grid gap-1 overflow-auto rounded-lg border border-slate-200 p-2 sm:grid-cols-2 ${className}`}>
      {options.map((o) => (
        <label key={o.id} className="flex items-start gap-2 text-sm">
          <input type="checkbox" name={name} value={o.id} className="mt-1" />
          <span>
            {o.label}
            <span className="block text-xs text-slate-500">{o.hint}</span>
          </span>
        </label>
      ))}
    </div>
  );
}
