'use client';

import type { ActionState } from '@/lib/http/server-action';
import { ActionForm, Field, fieldError } from './action-form';
import { buttonClass, inputClass } from './ui';

type Action = (state: ActionState, form: FormData) => Promise<ActionState>;

/**
 * Chooses the relay system a machine or a group downloads from; "" is none. `revoked` is the relay
 * set now when it was revoked (the choices leave revoked relays out): it stays selected, named as
 * revoked, so the form never shows "None" for a setting that still decides the machine's sources;
 * saving it unchanged is refused (409 naming relayId), choosing another or none works.
 */
export function RelaySelectForm({
  action,
  id,
  relayId,
  relays,
  revoked,
  noneLabel,
  hint,
}: {
  action: Action;
  id: string;
  relayId: string | null;
  relays: { id: string; name: string }[];
  revoked?: { id: string; name: string } | null;
  noneLabel: string;
  hint: string;
}) {
  return (
    <ActionForm action={action} label="Relay system" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <Field id={`relay-of-${id}`} label="Relay system" error={fieldError(state, 'relayId')} hint={hint}>
            <select id={`relay-of-${id}`} name="relayId" defaultValue={relayId ?? ''} className={inputClass} aria-invalid={!!fieldError(state, 'relayId')}>
              <option value="">{noneLabel}</option>
              {revoked && !relays.some((r) => r.id === revoked.id) ? <option value={revoked.id}>{`${revoked.name} (revoked: serves nobody)`}</option> : null}
              {relays.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('secondary')}>
            Save relay
          </button>
        </>
      )}
    </ActionForm>
  );
}
