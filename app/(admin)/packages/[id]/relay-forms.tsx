'use client';

import { useState } from 'react';
import { ActionForm, fieldError } from '@/app/_components/action-form';
import { buttonClass } from '@/app/_components/ui';
import { orderRelaysAction } from '../../relays/actions';

/** Delete from relays: one batch, one order per relay (not revoked), carried out on each relay's next heartbeat. */
export function DeleteFromRelaysForm({ packageId, holders }: { packageId: string; holders: number }) {
  const [sure, setSure] = useState(false);
  return (
    <ActionForm action={orderRelaysAction} label="Delete from relays" className="space-y-3">
      {(_state, pending) => (
        <>
          <input type="hidden" name="packageId" value={packageId} />
          <input type="hidden" name="kind" value="delete" />
          <input type="hidden" name="all" value="on" />
          <label className="flex items-center gap-2 text-sm text-slate-700">
            <input type="checkbox" checked={sure} onChange={(e) => setSure(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
            Delete it from every relay{holders ? ` (${holders} hold it now)` : ''}; downloads running now finish first
          </label>
          <button type="submit" disabled={!sure || pending} className={buttonClass('danger')}>
            {pending ? 'Requesting…' : 'Delete from relays'}
          </button>
        </>
      )}
    </ActionForm>
  );
}

/** Transfer to relay: the chosen relays fetch the package now, ahead of a job's windows. */
export function TransferToRelaysForm({ packageId, relays }: { packageId: string; relays: { id: string; name: string; holds: boolean }[] }) {
  return (
    <ActionForm action={orderRelaysAction} label="Transfer to relays" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="packageId" value={packageId} />
          <input type="hidden" name="kind" value="prefetch" />
          <fieldset>
            <legend className="mb-1 text-sm font-medium text-slate-700">Transfer to</legend>
            <div className="grid max-h-48 gap-1 overflow-auto rounded-lg border border-slate-200 p-2">
              {relays.map((r) => (
                <label key={r.id} className="flex items-center gap-2 text-sm">
                  <input type="checkbox" name="relayIds" value={r.id} /> {r.name}
                  {r.holds ? <span className="text-xs text-slate-500">(holds it)</span> : null}
                </label>
              ))}
            </div>
          </fieldset>
          {fieldError(state, 'relayIds') ? (
            <p role="alert" className="text-sm text-rose-700">
              {fieldError(state, 'relayIds')}
            </p>
          ) : null}
          <button type="submit" disabled={pending} className={buttonClass('secondary')}>
            Transfer to relays
          </button>
        </>
      )}
    </ActionForm>
  );
}
