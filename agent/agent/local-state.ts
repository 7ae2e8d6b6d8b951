import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { writeStateFile } from './agent-dir';

const FILE = 'assignments.json';

const entrySchema = z.object({
  attempt: z.number().int(),
  state: z.enum(['downloading', 'ready', 'installing', 'installed', 'failed', 'skipped']),
  at: z.string(),
  /** The installer's process while `installing`: pid and /proc start time, so a restart can wait for it. */
  child: z.object({ pid: z.number().int().positive(), startTime: z.string().nullable() }).optional(),
});
export type LocalAssignment = z.infer<typeof entrySchema>;

export const FINISHED = new Set<LocalAssignment['state']>(['installed', 'failed', 'skipped']);

/**
 * What this machine did with each assignment, on disk. It is the install journal: `installing`
 * is written (and fsynced) before the installer starts, so an agent killed mid-install finds it
 * on restart and checks the detection rule instead of running the installer blindly again. A
 * finished entry keeps the agent from repeating work while its report waits for the server.
 */
export class LocalState {
  private entries: Record<string, LocalAssignment>;

  constructor(private readonly dir: string) {
    this.entries = load(path.join(dir, FILE));
  }

  get(assignmentId: string, attempt: number): LocalAssignment | null {
    const entry = this.entries[assignmentId];
    return entry && entry.attempt === attempt ? entry : null;
  }

  set(assignmentId: string, entry: LocalAssignment): void {
    this.entries[assignmentId] = entry;
    this.save();
  }

  all(): Record<string, LocalAssignment> {
    return { ...this.entries };
  }

  /** Forgets assignments the plan no longer lists once nothing about them is left to report. */
  prune(keep: (assignmentId: string) => boolean): void {
    const before = Object.keys(this.entries).length;
    this.entries = Object.fromEntries(Object.entries(this.entries).filter(([id]) => keep(id)));
    if (Object.keys(this.entries).length !== before) this.save();
  }

  private save(): void {
    writeStateFile(this.dir, FILE, JSON.stringify(this.entries));
  }
}

function load(file: string): Record<string, LocalAssignment> {
  try {
    const parsed = z.record(z.string(), entrySchema).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}
