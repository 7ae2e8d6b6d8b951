'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { ConfirmedActionForm } from '@/app/_components/confirmed-action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { retireMachineAction, setMachineGroupsAction, setMachineOwnerAction } from './actions';

export function OwnerForm({ id, ownerId, users }: { id: string; ownerId: string | null; users: { id: string; email: string; name: string }[] }) {
  return (
    <ActionForm action={setMachineOwnerAction} label="Owner" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <Field id="machine-owner" label="Owner" error={fieldError(state, 'ownerId')} hint="The owner sees this machine in the portal and chooses its optional packages and windows.">
            <select id="machine-owner" name="ownerId" defaultValue={ownerId ?? ''} className={inputClass}>
              <option value="">No owner</option>
              {users.map((u) => (
                <option key={u.id} value={u.id}>
                  {u.name ? `${u.name} <${u.email}>` : u.email}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('secondary')}>
            Save owner
          </button>
        </>
      )}
    </ActionForm>
  );
}

export function GroupsForm({ id, groups, memberOf }: { id: string; groups: { id: string; name: string }[]; memberOf: string[] }) {
  return (
    <ActionForm action={setMachineGroupsAction} label="Groups" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          {groups.length === 0 ? (
            <p className="text-sm text-slate-600">No groups yet. Create one on the Groups page to give machines default windows and send jobs to many at once.</p>
          ) : (
            <fieldset>
              <legend className="sr-only">Member of</legend>
              <div className="grid max-h-56 gap-1 overflow-auto rounded-lg border border-slate-200 p-2">
                {groups.map((g) => (
                  <label key={g.id} className="flex items-center gap-2 text-sm">
                    <input type="checkbox" name="groupIds" value={g.id} defaultChecked={memberOf.includes(g.id)} /> {g.name}
                  </label>
                ))}
              </div>
            </fieldset>
          )}
          {fieldError(state, 'groupIds') ? (
            <p role="alert" className="text-sm text-rose-700">
              {fieldError(state, 'groupIds')}
            </p>
          ) : null}
          {groups.length ? (
            <button type="submit" disabled={pending} className={buttonClass('secondary')}>
              Save groups
            </button>
          ) : null}
        </>
      )}
    </ActionForm>
  );
}

export function RetireForm({ id, hostname }: { id: string; hostname: string }) {
  return (
    <ConfirmedActionForm
      action={retireMachineAction}
      id={id}
      label="Retire machine"
      explanation="Its agent’s token stops working at once, what it has not started is cancelled and it leaves its groups. Its history stays."
      start="Retire machine…"
      confirm={`Retire ${hostname}`}
    />
  );
}
