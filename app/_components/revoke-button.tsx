'use client';

import type { ActionState } from '@/lib/http/server-action';
import { ActionForm } from './action-form';

/** A one-click revoke for a row (API token, enrolment secret); the action receives its id. */
export function RevokeButton({ action, id, name }: { action: (state: ActionState, form: FormData) => Promise<ActionState>; id: string; name: string }) {
  return (
    <ActionForm action={action} label={`Revoke ${name}`}>
      {(_state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <button type="submit" disabled={pending} className="text-sm font-medium text-rose-700 hover:underline">Revoke</button>
        </>
      )}
    </ActionForm>
  );
}
