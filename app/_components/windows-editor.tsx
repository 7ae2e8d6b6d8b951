'use client';

import { useState, type ReactNode } from 'react';
import { ActionForm } from '@/app/_components/action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { installationWindowsSchema, type InstallationWindow } from '@/lib/contract/installation-window';
import type { ActionState } from '@/lib/http/server-action';
import { checkGuardrails, type GroupGuardrails } from '@/lib/schedule/guardrails';

const FIELD_LABEL: Record<string, string> = { day: 'Day', start: 'Start', minutes: 'Length' };
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

interface Row {
  day: number;
  start: string;
  hours: string;
}

const toMinute = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number);
  return h * 60 + m;
};
const toClock = (minute: number) => `${String(Math.floor(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
const minutesOf = (r: Row) => Math.round(Number(r.hours) * 60);
const rowsOf = (windows: InstallationWindow[] | null): Row[] => (windows ?? []).map((w) => ({ day: w.day, start: w.start, hours: String(Math.round((w.minutes / 60) * 100) / 100) }));

/** Where a row ends on the clock face, "Tue 02:00 (next day)", or null while its length is not a number. */
function endOf(r: Row): string | null {
  const minutes = minutesOf(r);
  if (!/^\d\d:\d\d$/.test(r.start) || !Number.isFinite(minutes) || minutes < 1) return null;
  const end = toMinute(r.start) + minutes;
  const days = Math.floor(end / 1440);
  return `${DAYS[(r.day + days) % 7].slice(0, 3)} ${toClock(end % 1440)}${days ? ' (next day)' : ''}`;
}

/** The message of an error about `field` or one of its rows, without the field's own prefix. */
const errorText = (state: ActionState) => (state && !state.ok ? state.error.message.replace(/^[\w.]+: /, '') : '');

export interface WindowsEditorProps {
  action: (state: ActionState, formData: FormData) => Promise<ActionState>;
  id: string;
  windows: InstallationWindow[] | null;
  zoneNote: string;
  emptyNote: string;
  /** The JSON form field the rows go to (default `windows`). */
  field?: string;
  /** More fields sent with the rows (the zone the rows are meant in). */
  hidden?: Record<string, string>;
  /** Buttons that replace the rows with a ready-made list ("Outside working hours"). */
  presets?: { label: string; windows: InstallationWindow[] }[];
  /** More fields of the same form, below the rows (client components only: a function). */
  extra?: (state: ActionState, pending: boolean) => ReactNode;
  submitLabel?: string;
  addLabel?: string;
  /** A second submit button that sends `clear=1` (back to the defaults) and empties the rows. */
  clearLabel?: string;
  /** Guardrails to check the rows against as they are edited (the server checks again on save). */
  guardrails?: GroupGuardrails[];
}

/**
 * A list of weekly intervals, for a machine (in its zone), a group's defaults or a group's
 * envelope (in each member's zone); a window may run past midnight and past Saturday into Sunday.
 * Each row is a day, a start and a length, or an end time (a length of up to 24 h, so an end at or
 * before the start means the next day). The rows go to the action as one JSON field. An error
 * about one row (`windows.2…`) shows beside that row; guardrails, when given, are checked as the
 * user types, so most problems show before saving.
 */
export function WindowsEditor({ action, id, windows, zoneNote, emptyNote, field = 'windows', hidden, presets, extra, submitLabel = 'Save windows', addLabel = 'Add window', clearLabel, guardrails }: WindowsEditorProps) {
  const [rows, setRows] = useState<Row[]>(() => rowsOf(windows));
  // After a save the page renders the saved windows: the rows show them (what the server stored,
  // or the defaults a Clear falls back to), as a fresh load would. A refusal changes no prop, so
  // the rows keep what the user typed.
  const saved = JSON.stringify(windows);
  const [shown, setShown] = useState(saved);
  if (saved !== shown) {
    setShown(saved);
    setRows(rowsOf(windows));
  }
  const proposed = rows.map((r) => ({ day: r.day, start: r.start, minutes: minutesOf(r) }));
  const payload = JSON.stringify(proposed);
  const update = (i: number, patch: Partial<Row>) => setRows(rows.map((r, j) => (j === i ? { ...r, ...patch } : r)));
  const setEnd = (i: number, end: string) => {
    if (!/^\d\d:\d\d$/.test(end)) return;
    const minutes = (toMinute(end) - toMinute(rows[i].start) + 1440) % 1440 || 1440;
    update(i, { hours: String(Math.round((minutes / 60) * 100) / 100) });
  };
  // Live guardrail hints, once the rows themselves are valid windows.
  const valid = installationWindowsSchema.safeParse(proposed);
  const hints = guardrails && valid.success ? checkGuardrails(valid.data, guardrails) : [];
  // An overlap or a bad length, said beside its row as soon as it is typed.
  const rowIssue = valid.success ? null : valid.error.issues.find((i) => typeof i.path[0] === 'number');
  return (
    <ActionForm action={action} label="Installation windows" className="space-y-3">
      {(state, pending) => {
        // Errors about the rows, or about a hidden field (which has no input to show them beside).
        const ours = (f: string | undefined) => !!f && (f.startsWith(field) || Object.hasOwn(hidden ?? {}, f));
        const failed = state && !state.ok && ours(state.error.field) ? state.error.field! : null;
        const rowOf = (f: string | null) => (f && new RegExp(`^${field}\\.(\\d+)`).exec(f)?.[1]) ?? null;
        const badRow = rowOf(failed);
        return (
          <>
            <input type="hidden" name="id" value={id} />
            <input type="hidden" name={field} value={payload} />
            {Object.entries(hidden ?? {}).map(([name, value]) => (
              <input key={name} type="hidden" name={name} value={value} />
            ))}
            {rows.length === 0 ? <p className="text-sm text-slate-600">{emptyNote}</p> : null}
            <ul className="space-y-3">
              {rows.map((r, i) => {
                const hint = hints.filter((h) => h.window === i);
                const invalid = badRow === String(i);
                const end = endOf(r);
                return (
                  <li key={i} data-testid={`window-row-${i}`} className="border-b border-slate-100 pb-3 last:border-0">
                    <div className="flex flex-wrap items-end gap-2">
                      <label className="w-32 text-xs text-slate-600">
                        Day
                        <select aria-label={`Window ${i + 1} day`} aria-invalid={invalid} value={r.day} onChange={(e) => update(i, { day: Number(e.target.value) })} className={inputClass}>
                          {DAYS.map((d, n) => (
                            <option key={d} value={n}>
                              {d}
                            </option>
                          ))}
                        </select>
                      </label>
                      <label className="w-32 text-xs text-slate-600">
                        Starts
                        <input aria-label={`Window ${i + 1} start`} aria-invalid={invalid} type="time" value={r.start} onChange={(e) => update(i, { start: e.target.value })} className={inputClass} />
                      </label>
                      <label className="w-16 text-xs text-slate-600">
                        Hours
                        <input aria-label={`Window ${i + 1} hours`} aria-invalid={invalid} inputMode="decimal" value={r.hours} onChange={(e) => update(i, { hours: e.target.value })} className={inputClass} />
                      </label>
                      <label className="w-32 text-xs text-slate-600">
                        or ends
                        <input aria-label={`Window ${i + 1} end`} type="time" value={end ? end.slice(4, 9) : ''} onChange={(e) => setEnd(i, e.target.value)} className={inputClass} />
                      </label>
                      <button type="button" className={buttonClass('secondary')} onClick={() => setRows(rows.filter((_, j) => j !== i))} aria-label={`Remove window ${i + 1}`}>
                        Remove
                      </button>
                    </div>
                    {end ? <p className="mt-1 text-xs text-slate-500">Until {end}</p> : null}
                    {invalid ? (
                      <p role="alert" className="mt-1 text-sm text-rose-700">
                        {errorText(state)}
                      </p>
                    ) : null}
                    {!invalid && rowIssue?.path[0] === i ? (
                      <p className="mt-1 text-sm text-amber-800" data-testid={`window-hint-${i}`}>
                        {rowIssue.path.length > 1 ? `${FIELD_LABEL[String(rowIssue.path[1])] ?? String(rowIssue.path[1])}: ${rowIssue.message}` : rowIssue.message}
                      </p>
                    ) : null}
                    {!invalid && hint.length ? (
                      <p className="mt-1 text-sm text-amber-800" data-testid={`window-hint-${i}`}>
                        {hint.map((h) => h.message).join(' ')}
                      </p>
                    ) : null}
                  </li>
                );
              })}
            </ul>
            {failed && badRow === null ? (
              <p role="alert" className="text-sm text-rose-700">
                {errorText(state)}
              </p>
            ) : null}
            {hints
              .filter((h) => h.window === null)
              .map((h) => (
                <p key={`${h.rule}-${h.groupId}`} className="rounded-lg bg-amber-50 px-3 py-2 text-sm text-amber-900">
                  {h.message}
                </p>
              ))}
            {extra?.(state, pending)}
            <div className="flex flex-wrap gap-2">
              <button type="button" className={buttonClass('secondary')} onClick={() => setRows([...rows, { day: 1, start: '22:00', hours: '4' }])}>
                {addLabel}
              </button>
              {presets?.map((p) => (
                <button key={p.label} type="button" className={buttonClass('secondary')} onClick={() => setRows(rowsOf(p.windows))}>
                  {p.label}
                </button>
              ))}
              <button type="submit" disabled={pending} className={buttonClass('primary')}>
                {submitLabel}
              </button>
              {clearLabel ? (
                <button type="submit" name="clear" value="1" disabled={pending} className={buttonClass('secondary')} onClick={() => setRows([])}>
                  {clearLabel}
                </button>
              ) : null}
            </div>
            <p className="text-xs text-slate-500">{zoneNote} A window may run past midnight; none is longer than 24 h.</p>
          </>
        );
      }}
    </ActionForm>
  );
}
