'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { RevokeButton } from '@/app/_components/revoke-button';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { createTokenAction, revokeTokenAction } from './actions';

export function CreateTokenForm() {
  return (
    <ActionForm action={createTokenAction} label="New API token" className="space-y-4">
      {(state, pending) => (
        <>
          {state?.ok && state.data?.token ? (
            <div className="rounded-lg border border-emerald-200 bg-emerald-50 p-3">
              <p className="mb-2 text-sm font-medium text-emerald-900">Copy this token now. It is shown only once.</p>
              <code data-testid="new-token" className="block break-all rounded bg-white px-2 py-1.5 font-mono text-xs text-slate-900 ring-1 ring-emerald-200">
                {state.data.token}
              </code>
            </div>
          ) : null}
          <Field id="token-name" label="Name" error={fieldError(state, 'name')} hint="What uses it, e.g. “Build pipeline”.">
            <input id="token-name" name="name" className={inputClass} aria-invalid={!!fieldError(state, 'name')} />
          </Field>
          <Field id="token-role" label="Role" error={fieldError(state, 'role')}>
            <select id="token-role" name="role" defaultValue="deployer" className={inputClass}>
              <option value="deployer">Deployer: cabinets, packages, jobs</option>
              <option value="auditor">Auditor: read only</option>
              <option value="admin">Admin: everything</option>
            </select>
          </Field>
          <Field id="token-expires" label="Expires after (days)" error={fieldError(state, 'expiresInDays')} hint="Empty: never.">
            <input id="token-expires" name="expiresInDays" inputMode="numeric" className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>Create token</button>
        </>
      )}
    </ActionForm>
  );
}

export function RevokeTokenButton({ id, name }: { id: string; name: string }) {
  return <RevokeButton action={revokeTokenAction} id={id} name={name} />;
}
