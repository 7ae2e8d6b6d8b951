'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { RevokeButton } from '@/app/_components/revoke-button';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { createEnrolmentSecretAction, revokeEnrolmentSecretAction } from './actions';

export function CreateEnrolmentSecretForm({ serverUrl }: { serverUrl: string }) {
  return (
    <ActionForm action={createEnrolmentSecretAction} label="New enrolment secret" className="space-y-4">
      {(state, pending) => (
        <>
          {state?.ok && state.data?.secret ? (
            <div className="rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm">
              <p className="mb-2 font-medium text-emerald-900">Copy it now: it is shown only once. On each machine, as root:</p>
              {/* In the environment, not argv: other users can read a process's arguments. */}
              <code data-testid="new-enrolment-secret" className="block break-all rounded bg-white px-2 py-1.5 font-mono text-xs ring-1 ring-emerald-200">
                DEPOT_ENROLMENT_SECRET={state.data.secret} depot-agent enroll --server {serverUrl}
              </code>
            </div>
          ) : null}
          <Field id="secret-name" label="Name" error={fieldError(state, 'name')} hint="Which machines it is for, e.g. “Berlin office laptops”.">
            <input id="secret-name" name="name" className={inputClass} aria-invalid={!!fieldError(state, 'name')} />
          </Field>
          <Field id="secret-max" label="At most this many machines" error={fieldError(state, 'maxUses')} hint="Empty: no limit.">
            <input id="secret-max" name="maxUses" inputMode="numeric" className={inputClass} />
          </Field>
          <Field id="secret-expires" label="Expires after (days)" error={fieldError(state, 'expiresInDays')} hint="Empty: never.">
            <input id="secret-expires" name="expiresInDays" inputMode="numeric" className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>Create enrolment secret</button>
        </>
      )}
    </ActionForm>
  );
}

export function RevokeEnrolmentSecretButton({ id, name }: { id: string; name: string }) {
  return <RevokeButton action={revokeEnrolmentSecretAction} id={id} name={name} />;
}
