/**
 * The agent protocol, /api/agent/v1: request and response schemas shared by the server and the
 * agent (this file imports only zod and other contract files).
 */
import { z } from 'zod';
import { calendarDateSchema } from './blackout-dates';
import { installationWindowSchema } from './installation-window';
import { conditionsSchema, detectionSchema, installerSchema, sha256Schema } from './package-manifest';

export const AGENT_API = '/api/agent/v1';

export const enrollRequestSchema = z
  .object({
    secret: z.string({ message: 'expected the enrolment secret' }).min(10, 'expected the enrolment secret').max(200, 'expected the enrolment secret'),
    hostname: z
      .string({ message: 'expected the machine’s host name' })
      .min(1, 'expected the machine’s host name')
      .max(253, 'expected at most 253 characters')
      .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'expected no control characters'),
    timeZone: z.string({ message: 'expected an IANA time zone' }).min(1).max(64, 'expected an IANA time zone such as Europe/Berlin').default('UTC'),
    facts: z
      .record(z.string(), z.unknown(), { message: 'expected an object of facts' })
      .refine((f) => JSON.stringify(f).length <= 64 * 1024, 'expected at most 64 KiB of facts')
      .default({}),
  })
  .strict();
export type EnrollRequest = z.input<typeof enrollRequestSchema>;

export const enrollResponseSchema = z.object({ machineId: z.uuid(), token: z.string() });
export type EnrollResponse = z.infer<typeof enrollResponseSchema>;

export const planSchema = z.object({
  machineId: z.uuid(),
  /** The plan version; sent back as If-None-Match, answered 304 when nothing changed. */
  version: z.number().int(),
  pollSeconds: z.number().int().positive(),
  jitterSeconds: z.number().int().nonnegative(),
  timeZone: z.string(),
  /** Empty: install any time. */
  windows: z.array(installationWindowSchema),
  /**
   * Days ("YYYY-MM-DD" in timeZone) on which nothing installs: the union of the machine's groups'
   * blackout dates. Defaults to none, so a plan from a server without them still parses.
   */
  blackoutDates: z.array(calendarDateSchema).default([]),
  /**
   * Relay systems to download content from, nearest first (the machine's relay, then that
   * relay's parents). The agent tries them in order and falls back to the managing server when
   * none answers in time. Empty (or absent, from an older server): straight from the server.
   */
  contentSources: z.array(z.object({ relayId: z.uuid(), name: z.string(), url: z.string() })).default([]),
  assignments: z.array(z.lazy(() => planAssignmentSchema)),
});
export type Plan = z.infer<typeof planSchema>;

export function planEtag(machineId: string, version: number): string {
  return `"${machineId}.${version}"`;
}

const bytes = z.number({ message: 'expected a number of bytes' }).int().nonnegative();
const shortText = (max = 256) => z.string({ message: 'expected text' }).max(max, `expected at most ${max} characters`);

/** What the agent reports about its machine (collected with systeminformation, cached). */
export const inventorySchema = z
  .object({
    hostname: shortText(253).min(1, 'expected the host name'),
    timeZone: shortText(64).min(1, 'expected an IANA time zone'),
    os: z.object({ platform: shortText(32), distro: shortText(), release: shortText(), kernel: shortText(), arch: shortText(32) }).strict(),
    cpu: z.object({ model: shortText(), cores: z.number().int().positive() }).strict(),
    memory: z.object({ totalBytes: bytes, freeBytes: bytes }).strict(),
    disks: z.array(z.object({ mount: shortText(1024), sizeBytes: bytes, freeBytes: bytes }).strict()).max(64),
    network: z.array(z.object({ iface: shortText(64), ipv4: shortText(64), ipv6: shortText(128), mac: shortText(32) }).strict()).max(64),
    uptimeSeconds: z.number().nonnegative(),
  })
  .strict();
export type Inventory = z.infer<typeof inventorySchema>;

/** What the agent needs of a package: where its content is and how to install it. */
export const planPackageSchema = z.object({
  id: z.uuid(),
  packageId: z.string(),
  version: z.string(),
  generation: z.number().int(),
  displayName: z.string(),
  sha256: sha256Schema,
  size: z.number().int().nonnegative(),
  fileName: z.string(),
  installer: installerSchema,
  conditions: conditionsSchema,
  detection: detectionSchema,
  /** For installs: the package may not start installing from then on (the agent checks it offline too). */
  expiresAt: z.iso.datetime({ offset: true }).nullable().default(null),
});
export type PlanPackage = z.infer<typeof planPackageSchema>;

/** One assignment the agent still has work on (pending, downloading, ready, installing). */
export const planAssignmentSchema = z.object({
  assignmentId: z.uuid(),
  attempt: z.number().int().positive(),
  jobId: z.uuid(),
  jobName: z.string(),
  kind: z.enum(['install', 'uninstall', 'inventory']),
  state: z.enum(['pending', 'downloading', 'ready', 'installing']),
  /** asap: at once; at: at startAt; windows: in the machine's installation windows. */
  timing: z.enum(['asap', 'at', 'windows']),
  startAt: z.iso.datetime({ offset: true }).nullable(),
  notBefore: z.iso.datetime({ offset: true }).nullable(),
  /** For install: after it, run at the first chance even outside windows. */
  deadline: z.iso.datetime({ offset: true }).nullable(),
  loadSpreading: z.boolean(),
  /**
   * The job lets at most this many machines install at once: the agent asks for a turn
   * (POST /turn) right before it runs the installer. Null: no cap. Absent in older plans.
   */
  maxConcurrent: z.number().int().positive().nullable().default(null),
  /**
   * An admin's install (or uninstall) rather than the end user's own selection: the agent tells
   * the user before it runs. Absent in older plans: treated as mandatory.
   */
  mandatory: z.boolean().default(true),
  /**
   * The end user can still change this assignment (an offer, a deferral budget, install now) or
   * the job has a cap: the server decides the start, so the agent asks POST /turn right before
   * the installer, after its last checks. Absent in older plans: false (they did not ask).
   */
  askTurn: z.boolean().default(false),
  package: planPackageSchema.nullable(),
});
export type PlanAssignment = z.infer<typeof planAssignmentSchema>;

export const REPORTED_STATES = ['downloading', 'ready', 'installing', 'installed', 'failed', 'skipped'] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];
export const OUTPUT_LIMIT = 64 * 1024;
/** The database keeps attempts and exit codes in int4 columns: a larger number is bad input, not a 500. */
const INT4_MAX = 2_147_483_647;

/** One attempt event; (assignmentId, attempt, state) is its idempotency key. */
export const reportEventSchema = z
  .object({
    assignmentId: z.uuid({ message: 'expected the assignment id (a UUID)' }),
    attempt: z.number({ message: 'expected the attempt number' }).int().positive('expected a positive attempt number').max(INT4_MAX, `expected an attempt number of at most ${INT4_MAX}`),
    state: z.enum(REPORTED_STATES, { message: `expected one of ${REPORTED_STATES.join(', ')}` }),
    at: z.iso.datetime({ offset: true, message: 'expected an ISO 8601 date-time' }),
    exitCode: z
      .number({ message: 'expected an exit code' })
      .int()
      .min(-INT4_MAX - 1, 'expected an exit code that fits 32 bits')
      .max(INT4_MAX, 'expected an exit code that fits 32 bits')
      .nullable()
      .optional(),
    reason: z.string({ message: 'expected text' }).max(2000, 'expected at most 2000 characters').optional(),
    output: z.string({ message: 'expected text' }).max(OUTPUT_LIMIT, 'expected at most 64 KiB of output').optional(),
    source: z.string({ message: 'expected text' }).max(200, 'expected at most 200 characters').optional(),
  })
  .strict();
export type ReportEvent = z.infer<typeof reportEventSchema>;

export const reportRequestSchema = z
  .object({ events: z.array(reportEventSchema, { message: 'expected a list of events' }).min(1, 'expected at least one event').max(500, 'expected at most 500 events per report') })
  .strict();
export type ReportRequest = z.infer<typeof reportRequestSchema>;

/**
 * applied: recorded; duplicate: already recorded (a replay, a no-op); refused: would move the
 * assignment somewhere it may not go (a finished one backwards, a cancelled one forwards) —
 * the agent drops it and logs the message, since sending it again cannot succeed.
 */
export const reportResponseSchema = z.object({
  results: z.array(z.object({ assignmentId: z.string(), attempt: z.number(), state: z.string(), outcome: z.enum(['applied', 'duplicate', 'refused']), message: z.string().optional() })),
});
export type ReportResponse = z.infer<typeof reportResponseSchema>;

/** POST /turn: may this assignment's installer start now? Asked for the plan's `askTurn` assignments. */
export const turnRequestSchema = z
  .object({
    assignmentId: z.uuid({ message: 'expected the assignment id (a UUID)' }),
    attempt: z.number({ message: 'expected the attempt number' }).int().positive('expected a positive attempt number'),
  })
  .strict();
export type TurnRequest = z.infer<typeof turnRequestSchema>;

/**
 * granted: the server has moved the assignment to installing (the agent's own installing report
 * then is a duplicate). Not granted with retryAfterSeconds: every turn is taken, ask again then.
 * Not granted without it: the assignment may not run now (cancelled, held, another attempt, the
 * user changed their mind or deferred it; the next plan says what is left to do).
 */
export const turnResponseSchema = z.object({ granted: z.boolean(), retryAfterSeconds: z.number().int().positive().nullable(), message: z.string() });
export type TurnResponse = z.infer<typeof turnResponseSchema>;
