import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { getTableConfig, PgDialect } from 'drizzle-orm/pg-core';
import { assignmentEvents } from '@/db/schema';
import { TERMINAL_STATES } from '@/lib/assignments/transitions';
import {
  BUCKET_STEPS_SECONDS,
  fillBuckets,
  JOB_OUTCOME_STATES,
  MAX_BUCKETS,
  OUTCOME_STATES_IN,
  outcomeGroupingSeconds,
  planBuckets,
  regroupOutcomes,
  sumBuckets,
  type BucketPlan,
  type BucketRow,
} from './job-outcomes';

const t = (iso: string) => new Date(iso);
const farFuture = t('2100-01-01T00:00:00Z');
const stepOf = (first: string, last: string) => planBuckets(t(first), t(last), farFuture).stepSeconds;

describe('planBuckets', () => {
  it('uses one-minute buckets for a single event, starting on the minute', () => {
    const plan = planBuckets(t('2027-03-01T10:15:42Z'), t('2027-03-01T10:15:42Z'), farFuture);
    expect(plan).toEqual({ stepSeconds: 60, originMs: 0, firstIndex: Date.parse('2027-03-01T10:15:00Z') / 60_000, count: 1 });
  });

  it('picks the finest step that needs at most 48 buckets', () => {
    expect(stepOf('2027-03-01T10:00:00Z', '2027-03-01T10:47:59Z')).toBe(60); // 48 minutes
    expect(stepOf('2027-03-01T10:00:00Z', '2027-03-01T10:48:00Z')).toBe(300); // 49 minutes
    expect(stepOf('2027-03-01T10:00:00Z', '2027-03-01T13:00:00Z')).toBe(300);
    expect(stepOf('2027-03-01T10:00:00Z', '2027-03-01T20:00:00Z')).toBe(900);
    expect(stepOf('2027-03-01T00:00:00Z', '2027-03-02T23:59:59Z')).toBe(3600); // 48 hours
    expect(stepOf('2027-03-01T00:00:00Z', '2027-03-03T00:00:00Z')).toBe(6 * 3600);
    expect(stepOf('2027-03-01T00:00:00Z', '2027-03-12T23:00:00Z')).toBe(6 * 3600);
    expect(stepOf('2027-03-01T00:00:00Z', '2027-03-13T00:00:00Z')).toBe(86_400);
    expect(stepOf('2027-03-01T00:00:00Z', '2027-04-17T23:00:00Z')).toBe(86_400); // 48 days
  });

  it('counts buckets on the aligned grid, not the raw span', () => {
    // 46 minutes of span, but from :59 of one minute to :00 of another: 48 minute buckets.
    expect(planBuckets(t('2027-03-01T10:00:59Z'), t('2027-03-01T10:47:00Z'), farFuture)).toMatchObject({ stepSeconds: 60, count: 48 });
    expect(planBuckets(t('2027-03-01T10:00:59Z'), t('2027-03-01T10:48:00Z'), farFuture)).toMatchObject({ stepSeconds: 300, count: 10 });
  });

  it('starts days at midnight UTC', () => {
    const plan = planBuckets(t('2027-03-01T17:30:00Z'), t('2027-03-20T03:00:00Z'), farFuture);
    expect(plan.stepSeconds).toBe(86_400);
    expect(new Date(plan.firstIndex * 86_400_000).toISOString()).toBe('2027-03-01T00:00:00.000Z');
    expect(plan.count).toBe(20);
  });

  it('takes whole days per bucket past 48 days', () => {
    const plan = planBuckets(t('2026-01-01T00:00:00Z'), t('2027-01-01T00:00:00Z'), farFuture);
    expect(plan.stepSeconds % 86_400).toBe(0);
    expect(plan.stepSeconds).toBe(8 * 86_400);
    expect(plan.count).toBeLessThanOrEqual(MAX_BUCKETS);
  });

  it('never reaches past now', () => {
    const now = t('2027-03-01T10:30:00Z');
    const plan = planBuckets(t('2027-03-01T10:00:00Z'), t('2027-03-05T00:00:00Z'), now);
    expect(plan).toMatchObject({ stepSeconds: 60, count: 31 });
    // Everything "after now" (a clock in the future) still gets one bucket at the first event.
    expect(planBuckets(t('2027-03-01T11:00:00Z'), t('2027-03-01T12:00:00Z'), now)).toMatchObject({ stepSeconds: 60, count: 1 });
  });

  it('always covers first..last in at most 48 buckets with the finest step that can', () => {
    const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2040-01-01T00:00:00Z') });
    fc.assert(
      fc.property(instant, fc.integer({ min: 0, max: 400 * 86_400_000 }), (from, span) => {
        const plan = planBuckets(new Date(from), new Date(from + span), farFuture);
        const stepMs = plan.stepSeconds * 1000;
        const start = plan.originMs + plan.firstIndex * stepMs;
        expect(plan.count).toBeGreaterThanOrEqual(1);
        expect(plan.count).toBeLessThanOrEqual(MAX_BUCKETS);
        expect(start).toBeLessThanOrEqual(from);
        expect(from).toBeLessThan(start + stepMs);
        expect(from + span).toBeLessThan(start + plan.count * stepMs);
        const finer = [...BUCKET_STEPS_SECONDS].reverse().find((s) => s < plan.stepSeconds);
        if (finer !== undefined && plan.stepSeconds <= 86_400) {
          const needed = Math.floor((from + span) / (finer * 1000)) - Math.floor(from / (finer * 1000)) + 1;
          expect(needed).toBeGreaterThan(MAX_BUCKETS);
        }
      }),
    );
  });
});

describe('fillBuckets', () => {
  const plan: BucketPlan = { stepSeconds: 3600, originMs: Date.parse('2027-03-01T10:20:00Z'), firstIndex: 0, count: 3 };

  it('lists every bucket in order with zeros, and puts each row in its bucket', () => {
    const buckets = fillBuckets(
      plan,
      [
        { index: 0, state: 'installed', n: 2 },
        { index: 2, state: 'failed', n: 1 },
        { index: 2, state: 'installed', n: 4 },
      ],
      ['installed', 'failed', 'skipped'],
    );
    expect(buckets).toEqual([
      { start: '2027-03-01T10:20:00.000Z', end: '2027-03-01T11:20:00.000Z', counts: { installed: 2, failed: 0, skipped: 0 } },
      { start: '2027-03-01T11:20:00.000Z', end: '2027-03-01T12:20:00.000Z', counts: { installed: 0, failed: 0, skipped: 0 } },
      { start: '2027-03-01T12:20:00.000Z', end: '2027-03-01T13:20:00.000Z', counts: { installed: 4, failed: 1, skipped: 0 } },
    ]);
    expect(sumBuckets(buckets, ['installed', 'failed', 'skipped'])).toEqual({ installed: 6, failed: 1, skipped: 0 });
  });

  it('leaves out rows outside the plan and states it does not chart', () => {
    const buckets = fillBuckets(
      plan,
      [
        { index: -1, state: 'installed', n: 5 },
        { index: 3, state: 'installed', n: 5 },
        { index: 1, state: 'cancelled', n: 5 },
      ],
      ['installed'],
    );
    expect(buckets.map((b) => b.counts)).toEqual([{ installed: 0 }, { installed: 0 }, { installed: 0 }]);
  });

  it('fills a plan from planBuckets so that its buckets meet end to start', () => {
    const p = planBuckets(t('2027-03-01T10:03:00Z'), t('2027-03-01T12:58:00Z'), farFuture);
    const buckets = fillBuckets(p, [], ['installed']);
    expect(buckets).toHaveLength(p.count);
    expect(buckets[0].start).toBe('2027-03-01T10:00:00.000Z');
    expect(buckets.at(-1)!.end).toBe('2027-03-01T13:00:00.000Z');
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].start).toBe(buckets[i - 1].end);
  });
});

describe('grouping a job\'s outcomes before the step is known', () => {
  const created = t('2027-03-01T10:00:00Z');
  const at = (ms: number) => new Date(created.getTime() + ms);

  it('groups by minute up to 12 hours of age, by hour up to 48 days, then by day', () => {
    expect(outcomeGroupingSeconds(created, at(0))).toBe(60);
    expect(outcomeGroupingSeconds(created, at(12 * 3_600_000))).toBe(60);
    expect(outcomeGroupingSeconds(created, at(12 * 3_600_000 + 1))).toBe(3600);
    expect(outcomeGroupingSeconds(created, at(48 * 86_400_000))).toBe(3600);
    expect(outcomeGroupingSeconds(created, at(48 * 86_400_000 + 1))).toBe(86_400);
  });

  it('refuses a step that is not a whole number of groups', () => {
    expect(() => regroupOutcomes([], 3600, { originMs: 0, stepSeconds: 900 })).toThrow('a step of 900 s is not a whole number of 3600 s groups from the epoch');
  });

  // What the SQL does, on instants in ms: count per (floor(t / step), state).
  const group = (times: readonly { ms: number; state: BucketRow['state'] }[], stepSeconds: number): BucketRow[] => {
    const counts = new Map<string, BucketRow>();
    for (const { ms, state } of times) {
      const index = Math.floor(ms / (stepSeconds * 1000));
      const row = counts.get(`${index} ${state}`) ?? { index, state, n: 0 };
      row.n += 1;
      counts.set(`${index} ${state}`, row);
    }
    return [...counts.values()];
  };

  it('adds the groups up to the buckets of the step whenever it is a multiple, which every step as coarse as the grouping is', () => {
    const event = fc.record({ offset: fc.double({ min: 0, max: 1, noNaN: true }), state: fc.constantFrom(...JOB_OUTCOME_STATES) });
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 * 86_400_000 }), fc.double({ min: 0, max: 1, noNaN: true }), fc.array(event, { minLength: 1, maxLength: 40 }), (ageMs, from, events) => {
        const now = at(ageMs);
        // Outcomes fall between the job's creation and now; `from` squeezes some spans small.
        const times = events.map((e) => ({ ms: Math.floor(created.getTime() + ageMs * (from + (1 - from) * e.offset)), state: e.state }));
        const grouping = outcomeGroupingSeconds(created, now);
        const first = Math.min(...times.map((x) => x.ms));
        const last = Math.max(...times.map((x) => x.ms));
        const plan = planBuckets(new Date(first), new Date(last), now);
        const direct = fillBuckets(plan, group(times, plan.stepSeconds), JOB_OUTCOME_STATES);
        if (plan.stepSeconds % grouping === 0) {
          expect(fillBuckets(plan, regroupOutcomes(group(times, grouping), grouping, plan), JOB_OUTCOME_STATES)).toEqual(direct);
        } else {
          // Only a step finer than the grouping: outcomes that all came within a short time.
          expect(plan.stepSeconds).toBeLessThan(grouping);
        }
      }),
    );
  });
});

describe('the outcome index', () => {
  // The chart's queries stay inside the partial index only while their state list is the index's.
  it('covers exactly the terminal states, spelled as the chart queries spell them', () => {
    const index = getTableConfig(assignmentEvents).indexes.find((i) => i.config.name === 'assignment_events_outcome_idx');
    expect(index?.config.where).toBeDefined();
    expect(new PgDialect().sqlToQuery(index!.config.where!).sql).toBe(`state ${OUTCOME_STATES_IN}`);
    expect([...JOB_OUTCOME_STATES].sort()).toEqual([...TERMINAL_STATES].sort());
  });
});
