'use client';

import { ActionForm, Field, fieldError } from '@/app/_components/action-form';
import { ConfirmedActionForm } from '@/app/_components/confirmed-action-form';
import { buttonClass, inputClass } from '@/app/_components/ui';
import { createRelayAction, orderRelayAction, revokeRelayAction, updateRelayAction } from './actions';
import { relayCommand } from './relay-bits';

type Choice = { id: string; name: string };

/** The parent relay to fetch from, or none (the managing server). */
function ParentSelect({ id, parents, defaultValue, invalid }: { id: string; parents: Choice[]; defaultValue: string; invalid: boolean }) {
  return (
    <select id={id} name="parentId" defaultValue={defaultValue} className={inputClass} aria-invalid={invalid}>
      <option value="">None: fetch from the managing server</option>
      {parents.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
}

export function CreateRelayForm({ serverUrl, parents }: { serverUrl: string; parents: Choice[] }) {
  return (
    <ActionForm action={createRelayAction} label="New relay system" className="space-y-4">
      {(state, pending) => (
        <>
          {state?.ok && state.data?.token ? (
            <div className="rounded-lg border border-emerald-200 bg-emerald-50 p-3 text-sm">
              <p className="mb-2 font-medium text-emerald-900">Copy this token now: it is shown only once. Run the relay with:</p>
              <code data-testid="new-relay-command" className="block break-all rounded bg-white px-2 py-1.5 font-mono text-xs ring-1 ring-emerald-200">
                {relayCommand(serverUrl, state.data.token, state.data.url)}
              </code>
              <p className="mt-2 text-xs text-emerald-900">
                Token: <code data-testid="new-relay-token" className="break-all font-mono">{state.data.token}</code>
              </p>
            </div>
          ) : null}
          <Field id="relay-name" label="Name" error={fieldError(state, 'name')} hint="Where it stands, e.g. “Berlin office”.">
            <input id="relay-name" name="name" className={inputClass} aria-invalid={!!fieldError(state, 'name')} />
          </Field>
          <Field id="relay-url" label="URL" error={fieldError(state, 'url')} hint="How its machines reach it, e.g. http://relay-berlin:8081.">
            <input id="relay-url" name="url" placeholder="http://relay-berlin:8081" className={inputClass} aria-invalid={!!fieldError(state, 'url')} />
          </Field>
          <Field id="relay-parent" label="Parent relay" error={fieldError(state, 'parentId')} hint="It fetches from its parent instead of the managing server.">
            <ParentSelect id="relay-parent" parents={parents} defaultValue="" invalid={!!fieldError(state, 'parentId')} />
          </Field>
          <Field id="relay-description" label="Description" error={fieldError(state, 'description')}>
            <input id="relay-description" name="description" className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('primary')}>
            Register relay system
          </button>
        </>
      )}
    </ActionForm>
  );
}

export function EditRelayForm({ id, url, parentId, description, parents }: { id: string; url: string; parentId: string | null; description: string; parents: Choice[] }) {
  return (
    <ActionForm action={updateRelayAction} label="Edit relay system" className="space-y-4">
      {(state, pending) => (
        <>
          <input type="hidden" name="id" value={id} />
          <Field id="edit-relay-url" label="URL" error={fieldError(state, 'url')} hint="Machines pick a new URL up on their next poll.">
            <input id="edit-relay-url" name="url" defaultValue={url} className={inputClass} aria-invalid={!!fieldError(state, 'url')} />
          </Field>
          <Field id="edit-relay-parent" label="Parent relay" error={fieldError(state, 'parentId')}>
            <ParentSelect id="edit-relay-parent" parents={parents} defaultValue={parentId ?? ''} invalid={!!fieldError(state, 'parentId')} />
          </Field>
          <Field id="edit-relay-description" label="Description" error={fieldError(state, 'description')}>
            <input id="edit-relay-description" name="description" defaultValue={description} className={inputClass} />
          </Field>
          <button type="submit" disabled={pending} className={buttonClass('secondary')}>
            Save
          </button>
        </>
      )}
    </ActionForm>
  );
}

export function RevokeRelayForm({ id, name }: { id: string; name: string }) {
  return (
    <ConfirmedActionForm
      action={revokeRelayAction}
      id={id}
      label="Revoke relay system"
      explanation="Its token is refused at once and it stops serving; its machines download from its parent or the managing server instead. This cannot be undone: register a new relay to replace it."
      start="Revoke relay…"
      confirm={`Revoke ${name}`}
    />
  );
}

/** The held list's button: delete this content from this relay (by package, else by SHA-256). */
export function DeleteHeldButton({ relayId, packageId, sha256, label }: { relayId: string; packageId?: string; sha256: string; label: string }) {
  return (
    <ActionForm action={orderRelayAction} label={`Delete ${label} from this relay`}>
      {(_state, pending) => (
        <>
          <input type="hidden" name="relayId" value={relayId} />
          <input type="hidden" name="kind" value="delete" />
          {packageId ? <input type="hidden" name="packageId" value={packageId} /> : <input type="hidden" name="sha256" value={sha256} />}
          <button type="submit" disabled={pending} className="text-sm font-medium text-rose-700 hover:underline disabled:text-slate-400">
            {pending ? 'Requesting…' : 'Delete'}
          </button>
        </>
      )}
    </ActionForm>
  );
}

/** Transfer to relay: fetch a package onto this relay now, ahead of a job's windows. */
export function PrefetchForm({ relayId, packages }: { relayId: string; packages: { id: string; label: string }[] }) {
  return (
    <ActionForm action={orderRelayAction} label="Transfer a package to this relay" className="space-y-3">
      {(state, pending) => (
        <>
          <input type="hidden" name="relayId" value={relayId} />
          <input type="hidden" name="kind" value="prefetch" />
          {packages.length === 0 ? (
            <p className="text-sm text-slate-600">No packages yet: register one in a cabinet first.</p>
          ) : (
            <>
              <Field id="prefetch-package" label="Package" error={fieldError(state, 'packageId')} hint="The relay fetches it on its next heartbeat, so machines find it there when their window opens.">
                <select id="prefetch-package" name="packageId" defaultValue="" className={inputClass}>
                  <option value="" disabled>
                    Choose a package…
                  </option>
                  {packages.map((p) => (
                    <option key={p.id} value={p.id}>
                      {p.label}
                    </option>
                  ))}
                </select>
              </Field>
              <button type="submit" disabled={pending} className={buttonClass('secondary')}>
                Transfer to relay
              </button>
            </>
          )}
        </>
      )}
    </ActionForm>
  );
}
