'use client';

import { useState, type ReactNode } from 'react';
import type { ActionState } from '@/lib/http/server-action';
import { ActionForm } from './action-form';
import { buttonClass } from './ui';

/**
 * A destructive action on one row (retire a machine, revoke a relay) that asks once before it
 * runs: the first button only reveals what will happen and the real, red one beside "Keep it".
 */
export function ConfirmedActionForm({ action, id, label, explanation, start, confirm }: { action: (state: ActionState, form: FormData) => Promise<ActionState>; id: string; label: string; explanation: ReactNode; start: string; confirm: string }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <ActionForm action={action} label={label} className="space-y-3">
      {(_state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <p className="text-sm text-slate-600">{explanation}</p>
          {confirming ? (
            <div className="flex gap-2">
              <button type="submit" disabled={pending} className={buttonClass('danger')}>
                {confirm}
              </button>
              <button type="button" onClick={() => setConfirming(false)} className={buttonClass('secondary')}>
                Keep it
              </button>
            </div>
          ) : (
            <button type="button" onClick={() => setConfirming(true)} className={buttonClass('secondary')}>
              {start}
            </button>
          )}
        </>
      )}
    </ActionForm>
  );
}
