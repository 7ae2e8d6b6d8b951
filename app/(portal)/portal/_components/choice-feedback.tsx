'use client';

import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from 'react';
import type { ActionState } from '@/lib/http/server-action';

const FeedbackContext = createContext<((result: ActionState) => void) | null>(null);

/**
 * One place for the outcome of the choices made inside it. A choice often removes its own button
 * (a rejected offer leaves the list, a chosen one loses "Install"), which would take a message
 * shown beside it along; this keeps the message, and moves focus to it so keyboard users are not
 * left on a button that is gone. Without a provider, each AssignmentActions shows its own.
 */
export function ChoiceFeedback({ children }: { children: ReactNode }) {
  const [result, setResult] = useState<ActionState>(null);
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (result) ref.current?.focus();
  }, [result]);
  return (
    <FeedbackContext value={setResult}>
      {result && (result.ok ? result.message : true) ? (
        <div ref={ref} tabIndex={-1} className="sticky top-2 z-10 mb-4 flex items-start justify-between gap-3 rounded-lg px-4 py-3 text-sm shadow-sm outline-none ring-1 ring-inset focus-visible:ring-2 data-[ok=true]:bg-emerald-50 data-[ok=true]:text-emerald-900 data-[ok=true]:ring-emerald-200 data-[ok=false]:bg-rose-50 data-[ok=false]:text-rose-800 data-[ok=false]:ring-rose-200" data-ok={String(result.ok)}>
          <p role={result.ok ? 'status' : 'alert'}>{result.ok ? result.message : result.error.message}</p>
          <button type="button" onClick={() => setResult(null)} className="shrink-0 text-xs font-medium underline">
            Dismiss
          </button>
        </div>
      ) : null}
      {children}
    </FeedbackContext>
  );
}

/** Where to report a choice's outcome: the surrounding ChoiceFeedback, or null to show it in place. */
export function useChoiceFeedback(): ((result: ActionState) => void) | null {
  return useContext(FeedbackContext);
}
