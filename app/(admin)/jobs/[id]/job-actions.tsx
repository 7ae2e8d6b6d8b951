'use client';

import { ActionForm } from '@/app/_components/action-form';
import { buttonClass, type ButtonKind } from '@/app/_components/ui';
import type { JobState } from '@/db/schema';
import { cancelJobAction, rerunFailedAction, resumeJobAction, suspendJobAction } from './actions';

function ActionButton({ action, id, label, kind = 'secondary' }: { action: typeof cancelJobAction; id: string; label: string; kind?: ButtonKind }) {
  return (
    <ActionForm action={action} label={label}>
      {(_state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <button type="submit" disabled={pending} className={buttonClass(kind)}>
            {label}
          </button>
        </>
      )}
    </ActionForm>
  );
}

export function JobActions({ id, state, failed }: { id: string; state: JobState; failed: number }) {
  return (
    <div className="flex flex-wrap items-start gap-2">
      {state === 'active' && failed > 0 ? <ActionButton action={rerunFailedAction} id={id} label={`Re-run ${failed} failed`} /> : null}
      {state === 'active' ? <ActionButton action={suspendJobAction} id={id} label="Suspend" /> : null}
      {state === 'suspended' ? <ActionButton action={resumeJobAction} id={id} label="Resume" kind="primary" /> : null}
      {state !== 'cancelled' ? <ActionButton action={cancelJobAction} id={id} label="Cancel job" kind="danger" /> : null}
    </div>
  );
}
