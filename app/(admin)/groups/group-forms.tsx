'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { addGroupMembersAction, createGroupAction, removeGroupMemberAction, setGroupBlackoutAction } from './actions';

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
