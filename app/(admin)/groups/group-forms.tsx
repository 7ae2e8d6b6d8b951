'use client';

import { useState } from 'react';
import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { WindowsEditor } from '@/app/_components/windows-editor';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import { addGroupMembersAction, createGroupAction, removeGroupMemberAction, setGroupBlackoutAction, setGroupGuardrailsAction } from './actions';

export function CreateGroupForm() {
  return (
    <ActionForm action={createGroupAction} label="New group" className="space-y-4">
      {(state, pending) => (
        <>
          <Field id="group-name" label="Name" error={fieldError(state, 'name')} hint="e.g. “Berlin laptops” or “Lab PCs”.">
            <input id="group-name" name="name" className={inputClass} />
          </Field>
          <Field id="group-description" label="Description" error={fieldError(state, 'description')}>
            <input id="group-description" name="description" className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>
            Create group
          </button>
        </>
      )}
    </ActionForm>
  );
}

export function AddMembersForm({ id, machines }: { id: string; machines: { id: string; hostname: string }[] }) {
  // The form stays mounted when the last machine joins, so its result message stays on screen.
  return (
    <ActionForm action={addGroupMembersAction} label="Add machines" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          {machines.length === 0 ? (
            <p className="text-sm text-slate-600">Every enrolled machine is already a member.</p>
          ) : (
            <>
              <div className="grid max-h-56 gap-1 overflow-auto rounded-lg border border-slate-200 p-2">
                {machines.map((m) => (
                  <label key={m.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="machineIds" value={m.id} /> {m.hostname}
                  </label>
                ))}
              </div>
              {fieldError(state, 'machineIds') ? (
                <p role="alert" className="text-sm text-rose-700">
                  {fieldError(state, 'machineIds')}
                </p>
              ) : null}
              <button type="submit" disabled={pending} className={buttonClass('primary')}>
                Add to group
              </button>
            </>
          )}
        </>
      )}
    </ActionForm>
  );
}

export function RemoveMemberButton({ id, machineId, hostname }: { id: string; machineId: string; hostname: string }) {
  return (
    <ActionForm action={removeGroupMemberAction} label={`Remove ${hostname}`}>
      {(_state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="machineId" value={machineId} />
          <button type="submit" disabled={pending} className={buttonClass('secondary')}>
            Remove
          </button>
        </>
      )}
    </ActionForm>
  );
}

const dayLabel = (date: string) => new Date(`${date}T00:00:00Z`).toLocaleDateString('en-GB', { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'short', year: 'numeric' });

/**
 * A group's blackout dates: add one with a date picker, remove one with its button. Only the
 * change is sent and applied to the stored list, so two editors never undo each other. The add field comes first,
 * so Enter in it adds rather than removing the first date. Dates over everywhere (before
 * `pastBefore`) fold away under "Past dates".
 */
export function BlackoutEditor({ id, dates, pastBefore }: { id: string; dates: string[]; pastBefore: string }) {
  const upcoming = dates.filter((d) => d >= pastBefore);
  const past = dates.filter((d) => d < pastBefore);
  return (
    <ActionForm action={setGroupBlackoutAction} label="Blackout dates" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <Field id="blackout-add" label="Add a date" error={fieldError(state, 'add')}>
            <div className="flex gap-2">
              <input id="blackout-add" name="add" type="date" className={inputClass} />
              <button type="submit" disabled={pending} className={buttonClass('primary')}>
                Add date
              </button>
            </div>
          </Field>
          {state && !state.ok && state.error.field?.startsWith('blackoutDates') ? (
            <p role="alert" className="text-sm text-rose-700">
              {state.error.message}
            </p>
          ) : null}
          {upcoming.length === 0 ? (
            <p className="text-sm text-slate-600">No upcoming blackout dates.</p>
          ) : (
            <ul className="divide-y divide-slate-100 text-sm" aria-label="Upcoming blackout dates">
              {upcoming.map((d) => (
                <li key={d} className="flex items-center justify-between py-1.5">
                  <span>
                    {dayLabel(d)} <span className="text-xs text-slate-500">{d}</span>
                  </span>
                  <button type="submit" name="remove" value={d} disabled={pending} className={buttonClass('secondary')} aria-label={`Remove ${d}`}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          {past.length > 0 ? (
            <details className="text-xs text-slate-500">
              <summary className="cursor-pointer">Past dates ({past.length})</summary>
              <p className="mt-1">{past.join(', ')}</p>
            </details>
          ) : null}
        </>
      )}
    </ActionForm>
  );
}

/** What auditors see: the upcoming dates, no controls. */
export function BlackoutList({ dates, pastBefore }: { dates: string[]; pastBefore: string }) {
  const upcoming = dates.filter((d) => d >= pastBefore);
  return upcoming.length === 0 ? <p className="text-sm text-slate-600">No upcoming blackout dates.</p> : <p className="text-sm text-slate-700">{upcoming.map(dayLabel).join(' · ')}</p>;
}

const daily = (days: number[], start: string, minutes: number) => days.map((day) => ({ day, start, minutes }));
/** "Only outside 08:00-18:00" as the intervals 18:00 → 08:00; the second keeps the weekend open. */
const ENVELOPE_PRESETS = [
  { label: 'Outside 08:00–18:00, every day', windows: daily([0, 1, 2, 3, 4, 5, 6], '18:00', 840) },
  { label: 'Outside 08:00–18:00 on weekdays, all weekend', windows: [...daily([1, 2, 3, 4], '18:00', 840), ...daily([5, 6], '18:00', 1440), ...daily([0], '18:00', 840)] },
];

/**
 * A group's guardrails for its members' own windows: self-service, the envelope (the shared
 * windows editor, with presets) and the minimum open hours a week.
 */
export function GuardrailsForm({ id, selfService, windowEnvelope, minOpenMinutes }: { id: string; selfService: boolean; windowEnvelope: InstallationWindow[] | null; minOpenMinutes: number | null }) {
  // Controlled, held above the editor's form: they keep what the user typed after a refusal.
  const [open, setOpen] = useState(selfService);
  const [hours, setHours] = useState(minOpenMinutes ? String(Math.round((minOpenMinutes / 60) * 100) / 100) : '');
  return (
    <WindowsEditor
      action={setGroupGuardrailsAction}
      id={id}
      windows={windowEnvelope}
      field="windowEnvelope"
      presets={ENVELOPE_PRESETS}
      addLabel="Add allowed hours"
      submitLabel="Save guardrails"
      zoneNote="Allowed hours for members’ own windows, in each member’s own time zone. No rows: anywhere."
      emptyNote="Members’ own windows may be anywhere in the week."
      extra={(state) => (
        <div className="space-y-3 border-t border-slate-100 pt-3">
          <Field id="guardrails-min-hours" label="Minimum open hours a week" error={fieldError(state, 'minOpenHours') ?? fieldError(state, 'minOpenMinutes')} hint="0 to 168. So mandatory installs cannot be starved; empty or 0: no minimum.">
            <div className="w-28">
              <input id="guardrails-min-hours" name="minOpenHours" inputMode="decimal" value={hours} onChange={(e) => setHours(e.target.value)} className={inputClass} />
            </div>
          </Field>
          <label className="flex items-start gap-2 text-sm text-slate-700">
            <input type="checkbox" name="selfService" checked={open} onChange={(e) => setOpen(e.target.checked)} className="mt-0.5" />
            <span>
              Self-service: users may put their own machines in this group from the portal
              <span className="block text-xs text-slate-500">They get the group’s active offers and mandatory jobs, like any machine that joins.</span>
            </span>
          </label>
        </div>
      )}
    />
  );
}
