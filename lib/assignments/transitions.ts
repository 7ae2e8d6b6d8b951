/**
 * The assignment state machine of DESIGN.md, as one table. Every writer (the agent's reports,
 * cancel, suspend and resume, re-run, selections, expiry) asks `canMove` before it changes a row,
 * so no path can move an assignment somewhere the design does not allow.
 *
 *   pending ─► downloading ─► ready ─► installing ─► installed
 *      │            │            │          └──────► failed ──(re-run: next attempt)──► pending
 *      │            └────────────┴─────► failed
 *      ├─► offered ─(user selects)─► pending      offered ─(deadline)─► expired
 *      │      └─(user rejects)─► declined ─(user restores)─► offered
 *      ├─► held (job suspended) ─(resumed)─► pending
 *      ├─► skipped (installation conditions not met)
 *      ├─► cancelled (job cancelled, machine retired; a package is deleted only when its jobs'
 *      │              assignments are terminal)
 *      └─► expired (its package expired before it started; an offer whose deadline passed)
 *   installing ─► failed also by the system when its machine is retired mid-install (it can
 *   never report the outcome).
 *   installed ─► offered by the system when the user's own uninstall of a package they chose
 *   through a still-standing offer completes (a new attempt), so they may choose it again.
 */
import type { AssignmentState } from '@/db/schema';

/** Who moves the assignment: its machine's agent, an admin (or deployer), the end user, or a sweep. */
export type Mover = 'agent' | 'admin' | 'user' | 'system';

type Table = Record<AssignmentState, Partial<Record<AssignmentState, readonly Mover[]>>>;

const A = ['agent'] as const;
export const TRANSITIONS: Table = {
  // The agent may skip steps: a detection rule can find the package already installed before
  // anything is downloaded, and conditions can rule an install out before the download.
  // Expiry (by the sweep) stops whatever has not started; an install already running finishes.
  pending: { downloading: A, ready: A, installing: A, installed: A, failed: A, skipped: A, held: ['admin'], cancelled: ['admin', 'system'], offered: ['user'], expired: ['system'] },
  downloading: { offered: ['user'], ready: A, installing: A, installed: A, failed: A, skipped: A, held: ['admin'], cancelled: ['admin', 'system'], expired: ['system'] },
  ready: { offered: ['user'], installing: A, installed: A, failed: A, skipped: A, held: ['admin'], cancelled: ['admin', 'system'], expired: ['system'] },
  installing: { installed: A, failed: ['agent', 'system'] },
  // pending ─► offered (by the user) is "changed my mind" on a selected offer before it started;
  // the portal's operations check that the job is an offer.
  offered: { pending: ['user'], declined: ['user'], expired: ['system'], cancelled: ['admin', 'system'] },
  // Not terminal: the user may restore a rejected offer while it lasts; cancel and expiry end it.
  declined: { offered: ['user'], expired: ['system'], cancelled: ['admin', 'system'] },
  held: { pending: ['admin'], cancelled: ['admin', 'system'], expired: ['system'] },
  // Re-run: a new attempt starts from pending.
  failed: { pending: ['admin'] },
  // The user's own uninstall of a self-service package they chose has completed, and its offer
  // still stands: offered again, as a new attempt (reoffer-after-uninstall.ts). "Installed" is no
  // longer true of the machine; keeping the row terminal would leave the user no way to choose it.
  installed: { offered: ['system'] },
  skipped: {},
  cancelled: {},
  expired: {},
};

export const TERMINAL_STATES: readonly AssignmentState[] = ['installed', 'failed', 'skipped', 'cancelled', 'expired'];
/** States in which the agent still has something to do; the plan carries these. */
export const ACTIVE_STATES: readonly AssignmentState[] = ['pending', 'downloading', 'ready', 'installing'];
/** Not yet started on the machine: what cancel and suspend may still stop. */
export const NOT_STARTED_STATES: readonly AssignmentState[] = ['pending', 'downloading', 'ready'];
/** The states an agent may report. */
export const AGENT_REPORTED_STATES = ['downloading', 'ready', 'installing', 'installed', 'failed', 'skipped'] as const;

export function isTerminal(state: AssignmentState): boolean {
  return TERMINAL_STATES.includes(state);
}

export function canMove(from: AssignmentState, to: AssignmentState, by: Mover): boolean {
  return TRANSITIONS[from][to]?.includes(by) ?? false;
}

/** The states `by` may move an assignment to `to` from, for set-based updates (`where state in (…)`). */
export function statesFrom(to: AssignmentState, by: Mover): AssignmentState[] {
  return (Object.keys(TRANSITIONS) as AssignmentState[]).filter((from) => canMove(from, to, by));
}
