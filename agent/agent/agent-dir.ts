import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeStateFile as writeSharedStateFile } from '../shared/state-file';

/** The agent's own directory: DEPOT_AGENT_DIR, else /var/lib/depot-agent as root, else ~/.depot-agent. */
export function agentDir(env: NodeJS.ProcessEnv = process.env, isRoot = process.getuid?.() === 0): string {
  if (env.DEPOT_AGENT_DIR) return path.resolve(env.DEPOT_AGENT_DIR);
  return isRoot ? '/var/lib/depot-agent' : path.join(os.homedir(), '.depot-agent');
}

export const identitySchema = z.object({
  server: z.url(),
  machineId: z.uuid(),
  token: z.string().startsWith('dpm_'),
  enrolledAt: z.string(),
});
export type Identity = z.infer<typeof identitySchema>;

const IDENTITY = 'identity.json';

export function readIdentity(dir: string): Identity | null {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, IDENTITY), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const parsed = identitySchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${path.join(dir, IDENTITY)} is damaged (${parsed.error.issues[0].message}); enrol again with --force`);
  return parsed.data;
}

/** Writes a state file in the agent directory (created 0700 if missing), atomically: see shared/state-file. */
export function writeStateFile(dir: string, name: string, content: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeSharedStateFile(path.join(dir, name), content);
}

export function writeIdentity(dir: string, identity: Identity): void {
  writeStateFile(dir, IDENTITY, `${JSON.stringify(identity, null, 2)}\n`);
}
