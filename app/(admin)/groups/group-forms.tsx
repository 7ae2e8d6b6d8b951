'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { addGroupMembersAction, createGroupAction, removeGroupMemberAction } from './actions';

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
