import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReportEvent, ReportResponse } from '../../lib/contract/agent-api';
import { Outbox } from './outbox';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

const event = (n: number, extra: Partial<ReportEvent> = {}): ReportEvent => ({
  assignmentId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  attempt: 1,
  state: 'installed',
  at: '2027-01-01T00:00:00.000Z',
  ...extra,
});
const applied = (events: ReportEvent[]): ReportResponse => ({ results: events.map((e) => ({ assignmentId: e.assignmentId, attempt: e.attempt, state: e.state, outcome: 'applied' })) });

function outbox(): Outbox {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-outbox-'));
  dirs.push(dir);
  return new Outbox(dir);
}

describe('Outbox.flush', () => {
  it('drops an event the server refuses, with a log line, and keeps sending the rest', async () => {
    const box = outbox();
    box.add(event(1));
    box.add(event(2));
    const logs: string[] = [];
    const ok = await box.flush(async (events) => ({ results: [{ ...applied(events).results[0], outcome: 'refused', message: 'the server could not record this event (error id abc)' }, ...applied(events).results.slice(1)] }), (l) => logs.push(l));
    expect(ok).toBe(true);
    expect(box.size).toBe(0);
    expect(logs).toEqual([`report installed of assignment ${event(1).assignmentId} (attempt 1) refused, dropped: the server could not record this event (error id abc)`]);
  });

  it('splits a batch the server refuses as a whole (a 422) and drops only the event refused alone', async () => {
    const box = outbox();
    for (const n of [1, 2, 3]) box.add(event(n, n === 2 ? { reason: 'the bad one' } : {}));
    const sent: number[] = [];
    const logs: string[] = [];
    const ok = await box.flush(
      async (events) => {
        sent.push(events.length);
        return events.some((e) => e.reason === 'the bad one') ? { refusedBatch: 'the server answered 422: events.0.reason' } : applied(events);
      },
      (l) => logs.push(l),
    );
    expect(ok).toBe(true);
    expect(box.size).toBe(0);
    expect(sent).toEqual([3, 1, 1, 1]);
    expect(logs).toEqual([`report installed of assignment ${event(2).assignmentId} (attempt 1) refused, dropped: the server answered 422: events.0.reason`]);
  });

  it('keeps everything when the server cannot be reached', async () => {
    const box = outbox();
    box.add(event(1));
    expect(await box.flush(async () => null, () => undefined)).toBe(false);
    expect(box.size).toBe(1);
  });
});
