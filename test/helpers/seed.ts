import crypto from 'node:crypto';
import { api, type Session } from './http';

export async function seedCabinet(baseUrl: string, session: Session, name: string, description = ''): Promise<string> {
  const res = await api<{ cabinet: { name: string } }>(baseUrl, '/api/cabinets', { method: 'POST', session, json: { name, description } });
  if (res.status !== 201) throw new Error(`could not create cabinet ${name}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.cabinet.name;
}

export function manifestFor(packageId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { packageId, displayName: `${packageId} app`, version: '1.0.0', installer: { kind: 'script' }, ...extra };
}

export interface UploadResult {
  status: number;
  body: { package?: { id: string; sha256: string; size: number; generation: number }; error?: { code: string; message: string; field?: string } };
}

/** Uploads like depot-pack and the upload page do: multipart manifest, file, optional sha256. */
export async function uploadPackage(
  baseUrl: string,
  session: Session | null,
  cabinet: string,
  manifest: unknown,
  content: Buffer | string,
  options: { sha256?: string; fileName?: string; manifestRaw?: string } = {},
): Promise<UploadResult> {
  const form = new FormData();
  form.append('manifest', options.manifestRaw ?? JSON.stringify(manifest));
  form.append('file', new Blob([new Uint8Array(typeof content === 'string' ? Buffer.from(content) : content)]), options.fileName ?? 'install.sh');
  if (options.sha256) form.append('sha256', options.sha256);
  const headers: Record<string, string> = {};
  if (session) Object.assign(headers, { cookie: session.cookie, origin: new URL(baseUrl).origin }); // as a browser's form post
  const res = await fetch(`${baseUrl}/api/cabinets/${encodeURIComponent(cabinet)}/packages`, { method: 'POST', body: form, headers });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) as UploadResult['body'] };
  } catch {
    throw new Error(`upload answered ${res.status} with a body that is not JSON: ${JSON.stringify(text.slice(0, 300))} (headers ${JSON.stringify([...res.headers])})`);
  }
}

export async function seedPackage(baseUrl: string, session: Session, cabinet: string, packageId: string, content = `#!/bin/sh\necho ${packageId}\n`) {
  const res = await uploadPackage(baseUrl, session, cabinet, manifestFor(packageId), content);
  if (res.status !== 201 || !res.body.package) throw new Error(`could not upload ${packageId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.package;
}

export const sha256 = (data: Buffer | string) => crypto.createHash('sha256').update(data).digest('hex');
