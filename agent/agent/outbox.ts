import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { reportEventSchema, type ReportEvent, type ReportResponse } from '../../lib/contract/agent-api';
import { writeStateFile } from './agent-dir';

const FILE = 'outbox.json';
// A batch stays well under the server's 4 MiB report limit even with 64 KiB of output per event.
const BATCH_BYTES = 1024 * 1024;

const keyOf = (e: { assignmentId: string; attempt: number; state: string }) => `${e.assignmentId}/${e.attempt}/${e.state}`;

/**
 * Reports not yet accepted by the server, kept on disk (written temp → fsync → rename) so an
 * unreachable server or a restart loses none. The server keys events by (assignment, attempt,
 * state), so sending one twice after a crash between send and save is a no-op there.
 */
export class Outbox {
  private events: ReportEvent[];

  constructor(private readonly dir: string) {
    this.events = load(path.join(dir, FILE));
  }

  get size(): number {
    return this.events.length;
  }

  has(assignmentId: string): boolean {
    return this.events.some((e) => e.assignmentId === assignmentId);
  }

  /** A queued final report (installed, failed, skipped) of this attempt, if any. */
  finalFor(assignmentId: string, attempt: number): (ReportEvent & { state: 'installed' | 'failed' | 'skipped' }) | null {
    const found = this.events.find((e) => e.assignmentId === assignmentId && e.attempt === attempt && (e.state === 'installed' || e.state === 'failed' || e.state === 'skipped'));
    return (found as (ReportEvent & { state: 'installed' | 'failed' | 'skipped' }) | undefined) ?? null;
  }

  add(event: ReportEvent): void {
    if (this.events.some((e) => keyOf(e) === keyOf(event))) return;
    this.events.push(reportEventSchema.parse(event));
    this.save();
  }

  /**
   * Sends what is queued in batches, oldest first; drops every event the server answered for
   * (applied, duplicate or refused: a refused one can never succeed and is logged). Returns false
   * when the server could not be reached; the rest stays queued.
   *
   * A batch the server refuses as a whole (a 4xx such as 422: an event it cannot parse, say from
   * a newer agent) is sent again one event at a time, and an event refused alone is dropped with
   * a log line: one bad event must not keep every later report on this machine from the server.
   */
  async flush(send: (events: ReportEvent[]) => Promise<ReportResponse | { refusedBatch: string } | null>, log: (line: string) => void): Promise<boolean> {
    let oneByOne = false;
    while (this.events.length > 0) {
      const batch = oneByOne ? this.events.slice(0, 1) : takeBatch(this.events);
      const answer = await send(batch);
      if (!answer) return false;
      if ('refusedBatch' in answer) {
        if (batch.length > 1) {
          oneByOne = true;
          continue;
        }
        const [e] = batch;
        log(`report ${e.state} of assignment ${e.assignmentId} (attempt ${e.attempt}) refused, dropped: ${answer.refusedBatch}`);
        this.events = this.events.filter((q) => keyOf(q) !== keyOf(e));
        this.save();
        continue;
      }
      const answered = new Set(answer.results.map(keyOf));
      for (const r of answer.results) {
        if (r.outcome === 'refused') log(`report ${r.state} of assignment ${r.assignmentId} (attempt ${r.attempt}) refused, dropped: ${r.message ?? ''}`);
      }
      const before = this.events.length;
      this.events = this.events.filter((e) => !answered.has(keyOf(e)));
      this.save();
      if (this.events.length === before) return false;
    }
    return true;
  }

  private save(): void {
    writeStateFile(this.dir, FILE, JSON.stringify(this.events));
  }
}

function takeBatch(events: ReportEvent[]): ReportEvent[] {
  const batch: ReportEvent[] = [];
  let bytes = 0;
  for (const e of events) {
    const size = JSON.stringify(e).length;
    if (batch.length > 0 && (bytes + size > BATCH_BYTES || batch.length >= 200)) break;
    batch.push(e);
    bytes += size;
  }
  return batch;
}

function load(file: string): ReportEvent[] {
  try {
    const parsed = z.array(reportEventSchema).safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : [];
  } catch {
    return [];
  }
}
