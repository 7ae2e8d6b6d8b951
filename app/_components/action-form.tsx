'use client';

import { useActionState, useEffect, useRef, type ReactNode } from 'react';
import type { ActionState } from '@/lib/http/server-action';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * A form bound to a server action: shows the result, marks the field at fault with its message
 * (FieldError reads it), and resets itself after success when asked.
 */
export function ActionForm({ action, children, className, resetOnSuccess = false, label }: { action: Action; children: (state: ActionState, pending: boolean) => ReactNode; className?: string; resetOnSuccess?: boolean; label?: string }) {
  const [state, formAction, pending] = useActionState(action, null);
  const ref = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (state?.ok && resetOnSuccess) ref.current?.reset();
  }, [state, resetOnSuccess]);
  return (
    <form ref={ref} action={formAction} className={className} aria-label={label} noValidate>
      {children(state, pending)}
      {state && (state.ok || !state.error.field) ? <ActionMessage state={state} /> : null}
    </form>
  );
}

function ActionMessage({ state }: { state: NonNullable<ActionState> }) {
  if (state.ok) {
    return state.message ? (
      <p role="status" className="mt-3 rounded-lg bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
        {state.message}
      </p>
    ) : null;
  }
  return (
    <p role="alert" className="mt-3 rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700">
      {state.error.message}
    </p>
  );
}

export function fieldError(state: ActionState, field: string): string | undefined {
  return state && !state.ok && state.error.field === field ? state.error.message : undefined;
}

export function Field({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {error ? (
        <p id={`${id}-error`} role="alert" className="mt-1 text-sm text-rose-600">
          {error}
        </p>
      ) : hint ? (
        <p className="mt-1 text-xs text-slate-500">{hint}</p>
      ) : null}
    </div>
  );
}
