'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { Card, buttonClass, inputClass } from '@/app/_components/ui';
import { changeRoleAction, endSessionsAction, resetPasswordAction, setDisabledAction } from '../actions';

interface Props {
  user: { id: string; email: string; role: string; disabled: boolean };
  isSelf: boolean;
  roles: { value: string; label: string }[];
}

export function ManageUserForms({ user, isSelf, roles }: Props) {
  return (
    <div className="space-y-6">
      <Card title="Role">
        <ActionForm action={changeRoleAction} label="Change role" className="flex flex-wrap items-end gap-3">
          {(state, pending) => (
            <>
              <input type="hidden" name="userId" value={user.id} />
              <div className="min-w-[12rem] flex-1">
                <Field id="role" label="Role" error={fieldError(state, 'role')}>
                  <select id="role" name="role" defaultValue={user.role} className={inputClass}>
                    {roles.map((r) => (
                      <option key={r.value} value={r.value}>{r.label}</option>
                    ))}
                  </select>
                </Field>
              </div>
              <button type="submit" disabled={pending} className={buttonClass('primary')}>Save role</button>
            </>
          )}
        </ActionForm>
      </Card>

      <Card title="Password">
        <ActionForm action={resetPasswordAction} label="Reset password" className="flex flex-wrap items-end gap-3">
          {(state, pending) => (
            <>
              <input type="hidden" name="userId" value={user.id} />
              <div className="min-w-[12rem] flex-1">
                <Field id="password" label="New password" error={fieldError(state, 'password')} hint="At least 10 characters. The user is signed out everywhere.">
                  <input id="password" name="password" type="password" autoComplete="new-password" className={inputClass} aria-invalid={!!fieldError(state, 'password')} />
                </Field>
              </div>
              <button type="submit" disabled={pending} className={buttonClass('secondary')}>Reset password</button>
            </>
          )}
        </ActionForm>
      </Card>

      <Card title="Access">
        <div className="flex flex-wrap gap-3">
          <ActionForm action={endSessionsAction} label="End sessions">
            {(_state, pending) => (
              <>
                <input type="hidden" name="userId" value={user.id} />
                <button type="submit" disabled={pending} className={buttonClass('secondary')}>Sign out everywhere</button>
              </>
            )}
          </ActionForm>
          <ActionForm action={setDisabledAction} label={user.disabled ? 'Enable user' : 'Disable user'}>
            {(_state, pending) => (
              <>
                <input type="hidden" name="userId" value={user.id} />
                <input type="hidden" name="disabled" value={user.disabled ? 'false' : 'true'} />
                <button type="submit" disabled={pending || (isSelf && !user.disabled)} className={buttonClass(user.disabled ? 'primary' : 'danger')} title={isSelf ? 'You cannot disable your own account' : undefined}>
                  {user.disabled ? 'Enable user' : 'Disable user'}
                </button>
              </>
            )}
          </ActionForm>
        </div>
        <p className="mt-3 text-xs text-slate-500">A disabled user is signed out on their next request and cannot sign in until enabled again.</p>
      </Card>
    </div>
  );
}
