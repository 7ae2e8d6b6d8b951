'use client';

import { useRef, useState, type FormEvent, type ReactNode } from 'react';
import { formatBytes } from '@/lib/format-bytes';
import { ARCHITECTURES, INSTALLER_KINDS, PLATFORMS, REBOOT_BEHAVIOURS } from '@/lib/contract/package-manifest';
import { Card, buttonClass, inputClass } from '@/app/_components/ui';
import { buildManifest, type UploadValues } from './build-manifest';

type ErrorBody = { error?: { code?: string; message?: string; field?: string } };

const INITIAL: UploadValues = {
  packageId: '', displayName: '', version: '', generation: '', kind: 'script', install: '', uninstall: '', successExitCodes: '0',
  timeoutSeconds: '3600', reboot: 'never', extractTo: '', description: '', publisher: '', category: '', selfService: false, expiresAt: '',
  platforms: [], architectures: [], diskPath: '', diskMiB: '', memoryMiB: '', requires: '', conflicts: '',
  detectionKind: 'none', detectionName: '', detectionVersions: '', detectionPath: '', detectionArgv: '',
};

// Server field paths (installer.install.0) → the form field that shows them.
const FIELD_OF: [prefix: string, field: keyof UploadValues | 'file' | 'cabinet'][] = [
  ['installer.successExitCodes', 'successExitCodes'], ['installer.timeoutSeconds', 'timeoutSeconds'], ['installer.extractTo', 'extractTo'],
  ['installer.install', 'install'], ['installer.uninstall', 'uninstall'], ['installer.reboot', 'reboot'], ['installer', 'kind'],
  ['conditions.minFreeDisk', 'diskMiB'], ['conditions.minMemoryMiB', 'memoryMiB'], ['conditions.platforms', 'platforms'],
  ['conditions.architectures', 'architectures'], ['conditions.requires', 'requires'], ['conditions.conflicts', 'conflicts'],
  ['detection.argv', 'detectionArgv'], ['detection.path', 'detectionPath'], ['detection.versions', 'detectionVersions'], ['detection', 'detectionName'],
  ['packageId', 'packageId'], ['displayName', 'displayName'], ['version', 'version'], ['generation', 'generation'], ['description', 'description'],
  ['publisher', 'publisher'], ['category', 'category'], ['expiresAt', 'expiresAt'], ['selfService', 'selfService'], ['file', 'file'], ['cabinet', 'cabinet'],
];
const fieldFor = (path: string | undefined) => FIELD_OF.find(([prefix]) => path === prefix || path?.startsWith(`${prefix}.`))?.[1];

export function UploadForm({ cabinets, initialCabinet }: { cabinets: string[]; initialCabinet: string }) {
  const [cabinet, setCabinet] = useState(initialCabinet);
  const [values, setValues] = useState<UploadValues>(INITIAL);
  const [file, setFile] = useState<File | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [general, setGeneral] = useState<string | null>(null);
  const [phase, setPhase] = useState<'editing' | 'checking' | 'uploading' | 'saving'>('editing');
  const [progress, setProgress] = useState({ loaded: 0, total: 0, started: 0 });
  const xhr = useRef<XMLHttpRequest | null>(null);

  const set = <K extends keyof UploadValues>(key: K, value: UploadValues[K]) => setValues((v) => ({ ...v, [key]: value }));
  const toggle = (key: 'platforms' | 'architectures', item: string) =>
    setValues((v) => ({ ...v, [key]: v[key].includes(item) ? v[key].filter((x) => x !== item) : [...v[key], item] }));

  function showError(body: ErrorBody, status: number) {
    const message = body.error?.message ?? `The server answered ${status}.`;
    const field = fieldFor(body.error?.field);
    if (field) setErrors({ [field]: message });
    else setGeneral(message);
  }

  async function onSubmit(event: FormEvent) {
    event.preventDefault();
    setErrors({});
    setGeneral(null);
    if (!file) return setErrors({ file: 'file: choose the installer, script or archive to upload' });
    const manifest = buildManifest(values);
    setPhase('checking');
    // The manifest is checked before any content is sent: a typo costs a second, not an upload.
    const check = await fetch(`/api/cabinets/${encodeURIComponent(cabinet)}/packages/check`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(manifest),
    }).catch(() => null);
    if (!check) {
      setPhase('editing');
      return setGeneral('Depot could not be reached. Check your connection and try again.');
    }
    if (!check.ok) {
      setPhase('editing');
      return showError((await check.json().catch(() => ({}))) as ErrorBody, check.status);
    }
    const form = new FormData();
    form.append('manifest', JSON.stringify(manifest));
    form.append('file', file, file.name);
    const request = new XMLHttpRequest();
    xhr.current = request;
    setProgress({ loaded: 0, total: file.size, started: Date.now() });
    setPhase('uploading');
    request.upload.onprogress = (e) => setProgress((p) => ({ ...p, loaded: e.loaded, total: e.total || p.total }));
    request.upload.onload = () => setPhase('saving');
    request.onload = () => {
      let body: ErrorBody & { package?: { id: string } } = {};
      try {
        body = JSON.parse(request.responseText);
      } catch {
        // not JSON: reported below
      }
      if (request.status === 201 && body.package) {
        window.location.assign(`/packages/${body.package.id}`);
        return;
      }
      setPhase('editing');
      showError(body, request.status);
    };
    request.onerror = () => {
      setPhase('editing');
      setGeneral('The upload was interrupted. Nothing was stored; try again.');
    };
    request.onabort = () => {
      setPhase('editing');
      setGeneral('Upload cancelled. Nothing was stored.');
    };
    request.open('POST', `/api/cabinets/${encodeURIComponent(cabinet)}/packages`);
    request.send(form);
  }

  const busy = phase !== 'editing';
  const percent = progress.total ? Math.floor((progress.loaded / progress.total) * 100) : 0;
  const seconds = Math.max((Date.now() - progress.started) / 1000, 0.001);

  const text = (key: keyof UploadValues, label: string, props: { placeholder?: string; hint?: string; type?: string } = {}) => (
    <FormField id={`f-${key}`} label={label} error={errors[key]} hint={props.hint}>
      <input id={`f-${key}`} type={props.type ?? 'text'} value={values[key] as string} onChange={(e) => set(key, e.target.value as never)} placeholder={props.placeholder} aria-invalid={!!errors[key]} className={inputClass} disabled={busy} />
    </FormField>
  );
  const area = (key: keyof UploadValues, label: string, hint?: string, placeholder?: string) => (
    <FormField id={`f-${key}`} label={label} error={errors[key]} hint={hint}>
      <textarea id={`f-${key}`} rows={3} value={values[key] as string} onChange={(e) => set(key, e.target.value as never)} placeholder={placeholder} aria-invalid={!!errors[key]} className={`${inputClass} font-mono`} disabled={busy} />
    </FormField>
  );

  return (
    <form onSubmit={onSubmit} noValidate className="space-y-6" aria-label="Upload package">
      {general ? <p role="alert" className="rounded-lg bg-rose-50 px-3 py-2 text-sm text-rose-700">{general}</p> : null}
      <Card title="Package">
        <div className="grid gap-4 md:grid-cols-2">
          <FormField id="f-cabinet" label="Cabinet" error={errors.cabinet} hint="Where it lives, for good: packages never move.">
            <select id="f-cabinet" value={cabinet} onChange={(e) => setCabinet(e.target.value)} className={inputClass} disabled={busy}>
              {cabinets.map((c) => <option key={c} value={c}>{c}</option>)}
            </select>
          </FormField>
          {text('packageId', 'Package ID', { placeholder: 'firefox-esr', hint: 'Letters, digits, . _ -; never renamed.' })}
          {text('displayName', 'Display name', { placeholder: 'Firefox ESR' })}
          {text('version', 'Version', { placeholder: '128.5.0' })}
          {text('generation', 'Generation', { hint: 'Leave empty for the next free one.' })}
          {text('publisher', 'Publisher', { placeholder: 'Mozilla' })}
          {text('category', 'Category', { placeholder: 'Browsers' })}
          {text('expiresAt', 'Expires', { type: 'datetime-local', hint: 'No new job may use it afterwards.' })}
        </div>
        <div className="mt-4">{area('description', 'Description')}</div>
        <label className="mt-4 flex items-center gap-2 text-sm text-slate-700">
          <input type="checkbox" checked={values.selfService} onChange={(e) => set('selfService', e.target.checked)} className="h-4 w-4 rounded border-slate-300" disabled={busy} />
          May be offered to end users (self-service)
        </label>
      </Card>

      <Card title="Installer">
        <div className="grid gap-4 md:grid-cols-2">
          <FormField id="f-kind" label="Installer kind" error={errors.kind}>
            <select id="f-kind" value={values.kind} onChange={(e) => set('kind', e.target.value)} className={inputClass} disabled={busy}>
              {INSTALLER_KINDS.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </FormField>
          <FormField id="f-reboot" label="Reboot" error={errors.reboot}>
            <select id="f-reboot" value={values.reboot} onChange={(e) => set('reboot', e.target.value)} className={inputClass} disabled={busy}>
              {REBOOT_BEHAVIOURS.map((k) => <option key={k} value={k}>{k}</option>)}
            </select>
          </FormField>
          {area('install', 'Install command', 'One argument per line; {file} is the downloaded file. Empty: the kind’s usual command.', '{file}\n--silent')}
          {area('uninstall', 'Uninstall command', 'One argument per line.')}
          {text('successExitCodes', 'Success exit codes', { hint: 'Comma-separated, e.g. 0, 3010' })}
          {text('timeoutSeconds', 'Timeout (seconds)')}
          {values.kind === 'archive' ? text('extractTo', 'Extract to', { placeholder: '/opt/tool' }) : null}
        </div>
      </Card>

      <Card title="Installation conditions and detection">
        <div className="grid gap-4 md:grid-cols-2">
          <Checks label="Platforms" items={PLATFORMS} selected={values.platforms} onToggle={(i) => toggle('platforms', i)} error={errors.platforms} disabled={busy} />
          <Checks label="Architectures" items={ARCHITECTURES} selected={values.architectures} onToggle={(i) => toggle('architectures', i)} error={errors.architectures} disabled={busy} />
          {text('diskPath', 'Free disk on path', { placeholder: '/' })}
          {text('diskMiB', 'Free disk needed (MiB)')}
          {text('memoryMiB', 'Memory needed (MiB)')}
          <div />
          {area('requires', 'Requires software', 'One per line: name, then an optional range such as >=1.2 <2')}
          {area('conflicts', 'Conflicts with software', 'One per line: name, then an optional range')}
          <FormField id="f-detectionKind" label="Detection rule" hint="How the agent tells it is already installed.">
            <select id="f-detectionKind" value={values.detectionKind} onChange={(e) => set('detectionKind', e.target.value)} className={inputClass} disabled={busy}>
              <option value="none">none</option>
              <option value="package">OS package</option>
              <option value="file">file exists</option>
              <option value="command">command succeeds</option>
            </select>
          </FormField>
          {values.detectionKind === 'package' ? text('detectionName', 'OS package name') : null}
          {values.detectionKind === 'package' ? text('detectionVersions', 'Version range', { placeholder: '>=128' }) : null}
          {values.detectionKind === 'file' ? text('detectionPath', 'File path', { placeholder: '/opt/tool/bin/tool' }) : null}
          {values.detectionKind === 'command' ? area('detectionArgv', 'Command', 'One argument per line') : null}
        </div>
      </Card>

      <Card title="File">
        <FormField id="f-file" label="Installer, script or archive" error={errors.file}>
          <input id="f-file" type="file" onChange={(e) => setFile(e.target.files?.[0] ?? null)} disabled={busy} className="block w-full text-sm text-slate-700 file:mr-3 file:rounded-lg file:border-0 file:bg-brand-50 file:px-3 file:py-2 file:text-sm file:font-medium file:text-brand-700" />
        </FormField>
        {phase === 'uploading' || phase === 'saving' ? (
          <div className="mt-4" aria-live="polite">
            <div className="mb-1 flex justify-between text-sm text-slate-600">
              <span>{phase === 'saving' ? 'Verifying and saving…' : `Uploading ${file?.name}`}</span>
              <span className="tabular-nums">{percent}% · {formatBytes(progress.loaded)} of {formatBytes(progress.total)} · {formatBytes(progress.loaded / seconds)}/s</span>
            </div>
            <div role="progressbar" aria-label="Upload progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-2.5 overflow-hidden rounded-full bg-slate-200">
              <div className="h-full rounded-full bg-brand-600 transition-[width]" style={{ width: `${percent}%` }} />
            </div>
          </div>
        ) : null}
      </Card>

      <div className="flex gap-3">
        <button type="submit" disabled={busy} className={buttonClass('primary')}>
          {phase === 'checking' ? 'Checking…' : phase === 'editing' ? 'Upload and register' : 'Uploading…'}
        </button>
        {phase === 'uploading' ? (
          <button type="button" onClick={() => xhr.current?.abort()} className={buttonClass('secondary')}>Cancel upload</button>
        ) : null}
      </div>
    </form>
  );
}

function FormField({ id, label, error, hint, children }: { id: string; label: string; error?: string; hint?: string; children: ReactNode }) {
  return (
    <div>
      <label htmlFor={id} className="mb-1 block text-sm font-medium text-slate-700">{label}</label>
      {children}
      {error ? <p role="alert" className="mt-1 text-sm text-rose-600">{error}</p> : hint ? <p className="mt-1 text-xs text-slate-500">{hint}</p> : null}
    </div>
  );
}

function Checks({ label, items, selected, onToggle, error, disabled }: { label: string; items: readonly string[]; selected: string[]; onToggle: (item: string) => void; error?: string; disabled: boolean }) {
  return (
    <fieldset>
      <legend className="mb-1 text-sm font-medium text-slate-700">{label}</legend>
      <div className="flex flex-wrap gap-3">
        {items.map((item) => (
          <label key={item} className="flex items-center gap-1.5 text-sm text-slate-700">
            <input type="checkbox" checked={selected.includes(item)} onChange={() => onToggle(item)} disabled={disabled} className="h-4 w-4 rounded border-slate-300" />
            {item}
          </label>
        ))}
      </div>
      {error ? <p role="alert" className="mt-1 text-sm text-rose-600">{error}</p> : <p className="mt-1 text-xs text-slate-500">None checked: any.</p>}
    </fieldset>
  );
}
