'use client';

import { Fragment, startTransition, useActionState, useState, type FormEvent, type ReactNode } from 'react';
import type { ActionState } from '@/lib/http/server-action';

type Action = (state: ActionState, formData: FormData) => Promise<ActionState>;

/**
 * A form bound to a server action: shows the result and marks the field at fault with its message
 * (FieldError reads it).
 *
 * What the fields show, for every form in app/: after a refusal, what the user typed; after a
 * success, the saved state. React resets a form whose `action` is a function when the action
 * ends, success or not: a refusal emptied what the user typed, and a reset puts a controlled
 * `<select>` back on the option it was first rendered with while its state says another (the
 * windows editor showed the wrong days). So a submit is dispatched by hand (no reset), and each
 * success remounts the fields, which then show their defaults: the saved values an edit form
 * renders from the refreshed page, or the empty fields of a "New …" form. State a form keeps
 * above this component (the windows editor's rows) follows the saved props itself.
 * `action` stays on the form so a submit before hydration still reaches the server.
 */
export function ActionForm({ action, children, className, label }: { action: Action; children: (state: ActionState, pending: boolean) => ReactNode; className?: string; label?: string }) {
  const [state, formAction, pending] = useActionState(action, null);
  // The time of the last success: the fields' key, so they remount once per success.
  const [savedAt, setSavedAt] = useState(0);
  if (state?.ok && state.at !== savedAt) setSavedAt(state.at);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const submitter = (event.nativeEvent as SubmitEvent).submitter;
    const fields = new FormData(event.currentTarget, submitter);
    startTransition(() => formAction(fields));
  };
  return (
    <form action={formAction} onSubmit={submit} className={className} aria-label={label} noValidate>
      <Fragment key={savedAt}>{children(state, pending)}</Fragment>
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
