import type { EnrollResponse, Inventory } from '../../lib/contract/agent-api';
import { AGENT_API, enrollResponseSchema } from '../../lib/contract/agent-api';
import { readAnswer } from '../shared/http-client';
import fs from 'node:fs';
import path from 'node:path';
import { readIdentity, writeIdentity, type Identity } from './agent-dir';

const STALE_STATE = ['plan.json', 'inventory.sha256'];

export interface EnrollOptions {
  server: string;
  secret: string;
  dir: string;
  force?: boolean;
  // The world, injected so tests drive failures without a network.
  collect: () => Promise<Inventory>;
  fetch?: typeof fetch;
  now?: () => Date;
}

export class EnrollRefused extends Error {}

/**
 * Enrols this machine: collects its facts, exchanges the enrolment secret for the machine's own
 * token, saves it (atomically, mode 0600) and reports the full inventory. An existing identity
 * is kept unless --force: re-enrolling by accident would orphan the machine's history.
 */
export async function enroll(options: EnrollOptions): Promise<Identity> {
  const existing = readIdentity(options.dir);
  if (existing && !options.force) {
    throw new EnrollRefused(`this machine is already enrolled (machine ${existing.machineId} at ${existing.server}); use --force to enrol it again`);
  }
  const doFetch = options.fetch ?? fetch;
  const inventory = await options.collect();
  const base = options.server.replace(/\/+$/, '');
  const post = async (path: string, body: unknown, token?: string) => {
    let res: Response;
    try {
      res = await doFetch(`${base}${AGENT_API}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
    } catch (error) {
      throw new Error(`cannot reach ${base}: ${((error as Error).cause as Error | undefined)?.message ?? (error as Error).message}`);
    }
    return { status: res.status, text: await res.text() };
  };
  const answer = await post('/enroll', { secret: options.secret, hostname: inventory.hostname, timeZone: inventory.timeZone, facts: { os: inventory.os } });
  if (answer.status === 401) {
    throw new EnrollRefused(`the server refused the enrolment secret: ${errorMessage(answer.text) ?? 'it is wrong, expired, revoked or used up'}`);
  }
  const enrolled: EnrollResponse = enrollResponseSchema.parse(readAnswer(answer.status, answer.text));
  const identity: Identity = { server: base, machineId: enrolled.machineId, token: enrolled.token, enrolledAt: (options.now?.() ?? new Date()).toISOString() };
  // A new machine starts with no plan and no record of facts sent: the old ones were another machine's.
  for (const stale of STALE_STATE) fs.rmSync(path.join(options.dir, stale), { force: true });
  writeIdentity(options.dir, identity);
  // The full inventory follows; if it fails, the daemon sends it on its first round.
  await post('/inventory', inventory, enrolled.token).catch(() => undefined);
  return identity;
}

function errorMessage(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message;
  } catch {
    return undefined;
  }
}
