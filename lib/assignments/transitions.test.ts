import { describe, expect, it } from 'vitest';
import { assignmentStateEnum } from '@/db/schema';
import { ACTIVE_STATES, AGENT_REPORTED_STATES, canMove, isTerminal, NOT_STARTED_STATES, statesFrom, TERMINAL_STATES, TRANSITIONS } from './transitions';

const ALL = assignmentStateEnum.enumValues;

describe('assignment transitions', () => {
  it('covers every state and names only known states', () => {
    expect(Object.keys(TRANSITIONS).sort()).toEqual([...ALL].sort());
    for (const targets of Object.values(TRANSITIONS)) for (const to of Object.keys(targets)) expect(ALL).toContain(to);
  });

  it('never moves a terminal state, except a failed one back to pending by an admin re-run and an installed offer the user removed back to offered', () => {
    for (const from of TERMINAL_STATES) {
      for (const to of ALL) {
        for (const by of ['agent', 'admin', 'user', 'system'] as const) {
          const expected = (from === 'failed' && to === 'pending' && by === 'admin') || (from === 'installed' && to === 'offered' && by === 'system');
          expect(canMove(from, to, by), `${from} → ${to} by ${by}`).toBe(expected);
        }
      }
    }
  });

  it('lets the agent walk the install path and fail at any step', () => {
    expect(canMove('pending', 'downloading', 'agent')).toBe(true);
    expect(canMove('downloading', 'ready', 'agent')).toBe(true);
    expect(canMove('ready', 'installing', 'agent')).toBe(true);
    expect(canMove('installing', 'installed', 'agent')).toBe(true);
    for (const from of ['pending', 'downloading', 'ready', 'installing'] as const) expect(canMove(from, 'failed', 'agent')).toBe(true);
    expect(canMove('installing', 'ready', 'agent')).toBe(false);
    expect(canMove('installing', 'cancelled', 'admin')).toBe(false);
  });

  it('keeps the agent away from offers, holds and cancellations', () => {
    for (const from of ['offered', 'declined', 'held', 'cancelled', 'expired'] as const) for (const to of AGENT_REPORTED_STATES) expect(canMove(from, to, 'agent')).toBe(false);
  });

  it('lets the end user choose, change their mind before the installer starts, reject and restore an offer', () => {
    expect(canMove('offered', 'pending', 'user')).toBe(true);
    for (const from of ['pending', 'downloading', 'ready'] as const) expect(canMove(from, 'offered', 'user')).toBe(true);
    expect(canMove('installing', 'offered', 'user')).toBe(false);
    expect(canMove('offered', 'declined', 'user')).toBe(true);
    expect(canMove('declined', 'offered', 'user')).toBe(true);
    expect(canMove('declined', 'pending', 'user')).toBe(false);
    expect(isTerminal('declined')).toBe(false);
  });

  it('derives the sets used by set-based writers', () => {
    expect(statesFrom('cancelled', 'admin').sort()).toEqual(['declined', 'downloading', 'held', 'offered', 'pending', 'ready']);
    expect(NOT_STARTED_STATES.every((s) => canMove(s, 'held', 'admin'))).toBe(true);
    expect(ACTIVE_STATES.some(isTerminal)).toBe(false);
  });
});
