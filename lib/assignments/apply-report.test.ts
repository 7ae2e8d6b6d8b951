import { describe, expect, it, vi } from 'vitest';
import type { Db } from '@/db/client';
import { applyReport } from './apply-report';

const event = { assignmentId: '44444444-4444-4444-8444-444444444444', attempt: 1, state: 'installed', at: '2027-01-01T00:00:00Z', exitCode: 0 };
/** A database whose every transaction fails as drizzle reports it: the driver's error as the cause. */
const failing = (code: string) => ({ transaction: async () => Promise.reject(new Error('query failed', { cause: Object.assign(new Error(`sqlstate ${code}`), { code }) })) }) as unknown as Db;

describe('applyReport when the database fails', () => {
  it('refuses the event for a data error (class 22/23): sending it again cannot succeed', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const { results } = await applyReport(failing('22008'), { machineId: '11111111-1111-4111-8111-111111111111', input: { events: [event] } });
    expect(results.map((r) => r.outcome)).toEqual(['refused']);
  });

  it.each(['40001', '40P01', '57P01', '08006'])('throws for %s (serialization, deadlock, a lost connection), so the batch is a 5xx and the agent retries it', async (code) => {
    await expect(applyReport(failing(code), { machineId: '11111111-1111-4111-8111-111111111111', input: { events: [event] } })).rejects.toThrow('query failed');
  });
});
