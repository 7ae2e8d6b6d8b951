'use client';

import { useState } from 'react';
import { ActionForm } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import type { ActionState } from '@/lib/http/server-action';

const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Row {
  day: number;
  start: string;
  hours: string;
}

/**
 * A list of weekly intervals, for a machine (in its zone) or a group (in each member's zone); a
 * window may run past midnight. The rows go to the action as one JSON field, `windows`.
 */
export function WindowsEditor({
  action,
  id,
  windows,
  zoneNote,
  emptyNote,
}: {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  id: string;
  windows: InstallationWindow[] | null;
  zoneNote: string;
  emptyNote: string;
}) {
  const [rows, setRows] = useState<Row[]>(() => (windows ?? []).map((w) => ({ day: w.day, start: w.start, hours: String(w.minutes / 60) })));
  const payload = JSON.stringify(rows.map((r) => ({ day: r.day, start: r.start, minutes: Math.round(Number(r.hours) * 60) })));
  const update = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  return (
    <ActionForm action={action} label="Installation windows" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <input type="hidden" name="windows" value={payload} />
          {rows.length === 0 ? <p className="text-sm text-slate-600">{emptyNote}</p> : null}
          <ul className="space-y-2">
            {rows.map((r, i) => (
              <li key={i} className="flex flex-wrap items-end gap-2">
                <label className="text-xs text-slate-600">
                  Day
                  <select aria-label={`Window ${i + 1} day`} value={r.day} onChange={(e) => update(i, { day: Number(e.target.value) })} className={inputClass}>
                    {DAYS.map((d, n) => (
                      <option key={d} value={n}>
                        {d}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="text-xs text-slate-600">
                  Starts
                  <input aria-label={`Window ${i + 1} start`} type="time" value={r.start} onChange={(e) => update(i, { start: e.target.value })} className={inputClass} />
                </label>
                <label className="text-xs text-slate-600">
                  Hours
                  <input aria-label={`Window ${i + 1} hours`} inputMode="decimal" value={r.hours} onChange={(e) => update(i, { hours: e.target.value })} className={`${inputClass} w-20`} />
                </label>
                <button type="button" className={buttonClass('secondary')} onClick={() => setRows(rows.filter((_, j) => j !== i))}>
                  Remove
                </button>
              </li>
            ))}
          </ul>
          {state && !state.ok && state.error.field?.startsWith('windows') ? (
            <p role="alert" className="text-sm text-rose-700">
              {state.error.message}
            </p>
          ) : null}
          <div className="flex flex-wrap gap-2">
            <button type="button" className={buttonClass('secondary')} onClick={() => setRows([...rows, { day: 1, start: '22:00', hours: '4' }])}>
              Add window
            </button>
            <button type="submit" disabled={pending} className={buttonClass('primary')}>
              Save windows
            </button>
          </div>
          <p className="text-xs text-slate-500">{zoneNote} A window may run past midnight; none is longer than 24 h.</p>
        </>
      )}
    </ActionForm>
  );
}
