'use client';

import { useState } from 'react';
import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { deleteCabinetAction } from '../actions';

/** An empty cabinet goes at once; a full one only after its name is typed, listing what goes. */
export function DeleteCabinetForm({ name, packages }: { name: string; packages: string[] }) {
  const [typed, setTyped] = useState('');
  return (
    <ActionForm action={deleteCabinetAction} label="Delete cabinet" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="name" value={name} />
          {packages.length > 0 ? (
            <>
              <p className="text-sm text-slate-700">
                Deleting <strong>{name}</strong> also deletes its {packages.length} package{packages.length === 1 ? '' : 's'}:
              </p>
              <ul className="max-h-40 list-inside list-disc overflow-auto text-sm text-slate-600">
                {packages.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
              <Field id="confirm" label={`Type ${name} to confirm`} error={fieldError(state, 'confirm')}>
                <input id="confirm" name="confirm" value={typed} onChange={(e) => setTyped(e.target.value)} autoComplete="off" className={inputClass} />
              </Field>
            </>
          ) : (
            <p className="text-sm text-slate-700">This cabinet is empty.</p>
          )}
          <button type="submit" disabled={pending || (packages.length > 0 && typed !== name)} className={buttonClass('danger')}>
            {pending ? 'Deleting…' : 'Delete cabinet'}
          </button>
        </>
      )}
    </ActionForm>
  );
}
