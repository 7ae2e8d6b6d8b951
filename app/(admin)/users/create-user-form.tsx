'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { createUserAction } from './actions';

export function CreateUserForm({ roles }: { roles: { value: string; label: string; description: string }[] }) {
  return (
    <ActionForm action={createUserAction} label="New user" className="space-y-4">
      {(state, pending) => (
        <>
          <Field id="new-name" label="Name" error={fieldError(state, 'name')}>
            <input id="new-name" name="name" className={inputClass} aria-invalid={!!fieldError(state, 'name')} />
          </Field>
          <Field id="new-email" label="Email" error={fieldError(state, 'email')}>
            <input id="new-email" name="email" type="email" autoComplete="off" className={inputClass} aria-invalid={!!fieldError(state, 'email')} />
          </Field>
          <Field id="new-role" label="Role" error={fieldError(state, 'role')}>
            <select id="new-role" name="role" defaultValue="user" className={inputClass}>
              {roles.map((r) => (
                <option key={r.value} value={r.value}>
                  {r.label}: {r.description}
                </option>
              ))}
            </select>
          </Field>
          <Field id="new-password" label="Initial password" error={fieldError(state, 'password')} hint="At least 10 characters. Tell the user to keep it private.">
            <input id="new-password" name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={!!fieldError(state, 'password')} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>
            {pending ? 'Creating…' : 'Create user'}
          </button>
        </>
      )}
    </ActionForm>
  );
}
