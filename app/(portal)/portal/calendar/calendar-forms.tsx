'use client';

import { useState } from 'react';
import { ActionForm } from '@/app/_components/action-form';
import { buttonClass } from '@/app/_components/ui';
import { createCalendarFeedAction, revokeCalendarFeedAction } from './actions';

/** Creates (or replaces) the feed and shows its URL this once. */
export function CreateFeedForm({ active }: { active: boolean }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <ActionForm action={createCalendarFeedAction} label={active ? 'Replace calendar feed URL' : 'Create calendar feed URL'} className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="intent" value={active ? 'replace' : 'create'} />
          {state?.ok && state.data?.url ? (
            <div className="rounded-lg border border-emerald-200 bg-emerald-50 p-3">
              <p className="mb-2 text-sm font-medium text-emerald-900">Your private feed URL. Copy it now: it is shown only once.</p>
              <code data-testid="calendar-feed-url" className="block break-all rounded bg-white px-2 py-1.5 font-mono text-xs text-slate-900 ring-1 ring-emerald-200">
                {state.data.url}
              </code>
              <p className="mt-2 text-xs text-emerald-900">Add it as a subscription (“From URL”) in Outlook, Google Calendar or Apple Calendar. Anyone with this URL sees your machines’ schedule: do not share it.</p>
            </div>
          ) : null}
          {active && !confirming ? (
            <button type="button" onClick={() => setConfirming(true)} className={buttonClass('secondary')}>
              Replace URL…
            </button>
          ) : (
            <div className="flex flex-wrap items-center gap-2">
              {active ? <p className="w-full text-sm text-slate-700">The current URL stops working at once; calendars subscribed to it must be given the new one.</p> : null}
              <button type="submit" disabled={pending} className={buttonClass('primary')}>
                {active ? 'Replace with a new URL' : 'Create feed URL'}
              </button>
              {active ? (
                <button type="button" onClick={() => setConfirming(false)} className={buttonClass('secondary')}>
                  Keep the current one
                </button>
              ) : null}
            </div>
          )}
        </>
      )}
    </ActionForm>
  );
}

export function RevokeFeedForm() {
  return (
    <ActionForm action={revokeCalendarFeedAction} label="Turn off calendar feed">
      {(_state, pending) => (
        <>
          <input type="hidden" name="intent" value="revoke" />
          <button type="submit" disabled={pending} className={buttonClass('danger')}>
            Turn off the feed
          </button>
        </>
      )}
    </ActionForm>
  );
}
