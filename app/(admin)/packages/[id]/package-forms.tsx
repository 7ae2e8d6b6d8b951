'use client';

import { useState } from 'react';
import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { deletePackageAction, updatePackageAction } from '../actions';

export function EditPackageForm({ id, description, category, selfService }: { id: string; description: string; category: string; selfService: boolean }) {
  return (
    <ActionForm action={updatePackageAction} label="Edit package" className="space-y-4">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <Field id="pkg-description" label="Description" error={fieldError(state, 'description')}>
            <textarea id="pkg-description" name="description" defaultValue={description} rows={3} className={inputClass} />
          </Field>
          <Field id="pkg-category" label="Category" error={fieldError(state, 'category')}>
            <input id="pkg-category" name="category" defaultValue={category} className={inputClass} />
          </Field>
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" name="selfService" defaultChecked={selfService} className="h-4 w-4 rounded border-slate-300" />
            May be offered to end users (self-service)
          </label>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>Save</button>
          <p className="text-xs text-slate-500">The package ID, version, cabinet and installation information never change: register a new generation instead.</p>
        </>
      )}
    </ActionForm>
  );
}

export function DeletePackageForm({ id, cabinet, label }: { id: string; cabinet: string; label: string }) {
  const [sure, setSure] = useState(false);
  return (
    <ActionForm action={deletePackageAction} label="Delete package" className="space-y-3">
      {(_state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="cabinet" value={cabinet} />
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
            Delete {label}; its content goes too when no other package uses it
          </label>
          <button type="submit" disabled={!sure || pending} className={buttonClass('danger')}>
            {pending ? 'Deleting…' : 'Delete package'}
          </button>
        </>
      )}
    </ActionForm>
  );
}
