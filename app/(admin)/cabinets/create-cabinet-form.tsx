'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { createCabinetAction } from './actions';

export function CreateCabinetForm() {
  return (
    <ActionForm action={createCabinetAction} label="New cabinet" className="space-y-4">
      {(state, pending) => (
        <>
          <Field id="cabinet-name" label="Name" error={fieldError(state, 'name')} hint="Letters, digits, dots, underscores, hyphens. It never changes.">
            <input id="cabinet-name" name="name" placeholder="browsers" className={inputClass} aria-invalid={!!fieldError(state, 'name')} />
          </Field>
          <Field id="cabinet-description" label="Description" error={fieldError(state, 'description')}>
            <input id="cabinet-description" name="description" placeholder="Web browsers for every desk" className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>
            {pending ? 'Creating…' : 'Create cabinet'}
          </button>
        </>
      )}
    </ActionForm>
  );
}
