import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid, type AnyPgColumn } from 'drizzle-orm/pg-core';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import type { PackageManifest } from '@/lib/contract/package-manifest';

export const roleEnum = pgEnum('role', ['admin', 'deployer', 'auditor', 'user']);
export type Role = (typeof roleEnum.enumValues)[number];

export const users = pgTable(
  'users',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // Stored lower-cased so that sign-in and uniqueness ignore case.
    email: text('email').notNull(),
    name: text('name').notNull(),
    role: roleEnum('role').notNull().default('user'),
    passwordHash: text('password_hash').notNull(),
    disabled: boolean('disabled').notNull().default(false),
    // Bumped to end every session of the user at once (disable, password reset, "sign out everywhere").
    sessionVersion: integer('session_version').notNull().default(1),
    lastSignInAt: timestamp('last_sign_in_at', { withTimezone: true }),
    // The private calendar (ICS) feed's secret, as SHA-256 (32 random bytes); null: no feed.
    // Replacing or clearing it revokes the old URL at once.
    calendarTokenHash: text('calendar_token_hash'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email), uniqueIndex('users_calendar_token_hash_idx').on(t.calendarTokenHash)],
);
export type User = typeof users.$inferSelect;

/**
 * Failures counted per key (lib/users/sign-in-throttle.ts): an email from one client address, a
 * client address across emails, a client address's failed enrolments. Unknown emails count too,
 * so a lockout tells nothing about which accounts exist. The row is the truth, so every server
 * behind a load balancer counts the same failures.
 */
export const failureThrottle = pgTable(
  'failure_throttle',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
  },
  (t) => [index('failure_throttle_window_started_at_idx').on(t.windowStartedAt)],
);

/**
 * One row per signed-in browser session; the session's JWT carries its id (`sid`). Sign-out
 * deletes the row, so a copy of the cookie stops working at once while the user's other
 * sessions go on. Rows past expires_at are pruned at sign-in and sign-out.
 */
export const userSessions = pgTable(
  'user_sessions',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('user_sessions_user_id_idx').on(t.userId), index('user_sessions_expires_at_idx').on(t.expiresAt)],
);
export type UserSession = typeof userSessions.$inferSelect;

export const auditLog = pgTable(
  'audit_log',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => users.id, { onDelete: 'set null' }),
    // The actor's email when it happened: the row stays readable after the user is gone.
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    targetLabel: text('target_label'),
    before: jsonb('before'),
    after: jsonb('after'),
  },
  (t) => [
    index('audit_log_at_idx').on(t.at),
    index('audit_log_actor_id_idx').on(t.actorId),
    index('audit_log_target_idx').on(t.targetType, t.targetId),
  ],
);
export type AuditEntry = typeof auditLog.$inferSelect;

/** Admin API tokens (depot-pack, scripts). Only a SHA-256 of the token is stored; it is shown once. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    role: roleEnum('role').notNull(),
    // Tokens are 32 random bytes, so a fast hash is enough (no dictionary to guess from) and
    // lets every request find its token with one indexed lookup.
    tokenHash: text('token_hash').notNull(),
    // The first characters, to tell tokens apart in lists; useless for guessing.
    prefix: text('prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
  },
  (t) => [uniqueIndex('api_tokens_token_hash_idx').on(t.tokenHash), index('api_tokens_created_by_idx').on(t.createdBy)],
);
export type ApiToken = typeof apiTokens.$inferSelect;

export const cabinets = pgTable(
  'cabinets',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // URL-safe and unique: depot-pack and the API name cabinets by it.
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('cabinets_name_idx').on(t.name), index('cabinets_created_by_idx').on(t.createdBy)],
);
export type Cabinet = typeof cabinets.$inferSelect;

/** One row per stored content file (blobs/ab/abcdef…); packages with identical content share it. */
export const contentBlobs = pgTable('content_blobs', {
  sha256: text('sha256').primaryKey(),
  size: bigint('size', { mode: 'number' }).notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});
export type ContentBlob = typeof contentBlobs.$inferSelect;

export const installerKindEnum = pgEnum('installer_kind', ['deb', 'rpm', 'msi', 'pkg', 'exe', 'script', 'archive']);

export const packages = pgTable(
  'packages',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // A package never moves to another cabinet (no update path exists); deleting a cabinet
    // deletes its packages explicitly, in its own operation.
    cabinetId: uuid('cabinet_id')
      .notNull()
      .references(() => cabinets.id, { onDelete: 'restrict' }),
    packageId: text('package_id').notNull(),
    version: text('version').notNull(),
    generation: integer('generation').notNull(),
    displayName: text('display_name').notNull(),
    installerKind: installerKindEnum('installer_kind').notNull(),
    // The installation information as registered: immutable.
    manifest: jsonb('manifest').$type<PackageManifest>().notNull(),
    contentSha256: text('content_sha256')
      .notNull()
      .references(() => contentBlobs.sha256, { onDelete: 'restrict' }),
    size: bigint('size', { mode: 'number' }).notNull(),
    fileName: text('file_name').notNull(),
    // The only fields that may change after registration.
    description: text('description').notNull().default(''),
    category: text('category').notNull().default(''),
    selfService: boolean('self_service').notNull().default(false),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('packages_identity_idx').on(t.cabinetId, t.packageId, t.version, t.generation),
    index('packages_cabinet_id_idx').on(t.cabinetId),
    index('packages_content_sha256_idx').on(t.contentSha256),
    index('packages_created_by_idx').on(t.createdBy),
  ],
);
export type Package = typeof packages.$inferSelect;

/** Enrolment secrets: what a new machine's agent presents once to get its own token. Hashed. */
export const enrolmentSecrets = pgTable(
  'enrolment_secrets',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    secretHash: text('secret_hash').notNull(),
    prefix: text('prefix').notNull(),
    maxUses: integer('max_uses'),
    uses: integer('uses').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('enrolment_secrets_secret_hash_idx').on(t.secretHash), index('enrolment_secrets_created_by_idx').on(t.createdBy)],
);
export type EnrolmentSecret = typeof enrolmentSecrets.$inferSelect;

export const machines = pgTable(
  'machines',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    hostname: text('hostname').notNull(),
    // The agent's bearer token, as SHA-256 (32 random bytes: a fast hash suffices and keeps
    // the poll to one indexed lookup).
    tokenHash: text('token_hash').notNull(),
    enrolmentSecretId: uuid('enrolment_secret_id').references(() => enrolmentSecrets.id, { onDelete: 'set null' }),
    ownerId: uuid('owner_id').references(() => users.id, { onDelete: 'set null' }),
    // When the current owner got it (set with every change of owner): the portal shows an owner
    // only what happened on the machine since, never a previous owner's activity.
    ownerSince: timestamp('owner_since', { withTimezone: true }),
    timeZone: text('time_zone').notNull().default('UTC'),
    facts: jsonb('facts').$type<Record<string, unknown>>().notNull().default({}),
    // Bumped by every change that affects what this machine should do; the plan's ETag.
    planVersion: bigint('plan_version', { mode: 'number' }).notNull().default(1),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
    // The machine's own installation windows (the user's choice, or an admin's until the portal
    // sets them); null means "not set": its groups' defaults apply, else any time.
    windows: jsonb('windows').$type<InstallationWindow[]>(),
    // The relay system this machine downloads from (else its groups' relay, else the server).
    relayId: uuid('relay_id').references((): AnyPgColumn => relays.id, { onDelete: 'set null' }),
  },
  (t) => [
    uniqueIndex('machines_token_hash_idx').on(t.tokenHash),
    index('machines_relay_id_idx').on(t.relayId),
    index('machines_enrolment_secret_id_idx').on(t.enrolmentSecretId),
    index('machines_owner_id_idx').on(t.ownerId),
    // The machines page sorts and pages by host name.
    index('machines_hostname_idx').on(t.hostname),
  ],
);
export type Machine = typeof machines.$inferSelect;

export const jobKindEnum = pgEnum('job_kind', ['install', 'offer', 'uninstall', 'inventory']);
export type JobKind = (typeof jobKindEnum.enumValues)[number];
/** asap: as soon as received; at: at startAt; windows: inside each machine's installation windows. */
export const jobTimingEnum = pgEnum('job_timing', ['asap', 'at', 'windows']);
export type JobTiming = (typeof jobTimingEnum.enumValues)[number];
export const jobStateEnum = pgEnum('job_state', ['active', 'suspended', 'cancelled']);
export type JobState = (typeof jobStateEnum.enumValues)[number];

export const jobs = pgTable(
  'jobs',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    kind: jobKindEnum('kind').notNull(),
    // Deleting a package is refused while any of its jobs has unfinished assignments; once they
    // are all finished the package may go and the job keeps its history under packageLabel.
    packageId: uuid('package_id').references(() => packages.id, { onDelete: 'set null' }),
    // "cabinet/package-id version (generation)" when the job was created: readable after deletion.
    packageLabel: text('package_label').notNull().default(''),
    timing: jobTimingEnum('timing').notNull(),
    startAt: timestamp('start_at', { withTimezone: true }),
    notBefore: timestamp('not_before', { withTimezone: true }),
    deadline: timestamp('deadline', { withTimezone: true }),
    loadSpreading: boolean('load_spreading').notNull().default(false),
    // At most this many machines install at once (null: no cap). The server hands out the slots.
    maxConcurrent: integer('max_concurrent'),
    // How many times an end user may postpone this mandatory install to a later window (never
    // past the deadline); null or 0: no deferral.
    deferralLimit: integer('deferral_limit'),
    // An end user may run a selected offer (or a mandatory install) at once, outside windows.
    allowInstallNow: boolean('allow_install_now').notNull().default(false),
    state: jobStateEnum('state').notNull().default('active'),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('jobs_package_id_idx').on(t.packageId), index('jobs_created_by_idx').on(t.createdBy), index('jobs_created_at_idx').on(t.createdAt)],
);
export type Job = typeof jobs.$inferSelect;

export const assignmentStateEnum = pgEnum('assignment_state', [
  'pending',
  'offered',
  'held',
  'downloading',
  'ready',
  'installing',
  'installed',
  'failed',
  'skipped',
  'cancelled',
  'expired',
  // An offer the end user rejected: it stops showing; they may restore it while the offer lasts.
  'declined',
]);
export type AssignmentState = (typeof assignmentStateEnum.enumValues)[number];

/** One job on one machine: the row the agent acts on and reports against. */
export const assignments = pgTable(
  'assignments',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    // job_id → jobs and machine_id → machines are kept by statement-level triggers, not foreign
    // keys (migration 0013): the same rules (both exist, share-locked; deleting a job or machine
    // deletes its assignments; neither ever changes), checked once per statement instead of twice
    // per row, which was half the cost of a fan-out to 100,000 machines.
    jobId: uuid('job_id').notNull(),
    // Machines are retired, never deleted while they have history.
    machineId: uuid('machine_id').notNull(),
    state: assignmentStateEnum('state').notNull(),
    // Each re-run of a failed assignment is a new attempt; reports carry it.
    attempt: integer('attempt').notNull().default(1),
    exitCode: integer('exit_code'),
    reason: text('reason'),
    // The last 64 KiB of the installer's output, for the latest attempt.
    output: text('output'),
    // The end user's own timing for this machine: a deferral (or a later start) moves notBefore
    // past the job's; runNow ("install now", where the job allows it) ignores the windows.
    notBefore: timestamp('not_before', { withTimezone: true }),
    deferrals: integer('deferrals').notNull().default(0),
    runNow: boolean('run_now').notNull().default(false),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('assignments_job_id_machine_id_idx').on(t.jobId, t.machineId),
    index('assignments_machine_id_idx').on(t.machineId),
    index('assignments_job_id_state_idx').on(t.jobId, t.state),
    // "Failures that need a look", newest first. Partial, so a fan-out's pending rows cost nothing here.
    index('assignments_failed_updated_at_idx').on(t.updatedAt).where(sql`state = 'failed'`),
  ],
);
export type Assignment = typeof assignments.$inferSelect;

/**
 * Every state an assignment went through, as reported by its agent or set by an admin. The
 * unique key (assignment, attempt, state) makes a replayed report collide instead of adding a row.
 */
export const assignmentEvents = pgTable(
  'assignment_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    assignmentId: uuid('assignment_id')
      .notNull()
      .references(() => assignments.id, { onDelete: 'cascade' }),
    attempt: integer('attempt').notNull(),
    state: assignmentStateEnum('state').notNull(),
    // When it happened on the machine (agent clock) or on the server.
    at: timestamp('at', { withTimezone: true }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull().defaultNow(),
    exitCode: integer('exit_code'),
    reason: text('reason'),
    output: text('output'),
    // Where the content came from (server, relay), for downloads.
    source: text('source'),
    actorLabel: text('actor_label'),
  },
  (t) => [
    uniqueIndex('assignment_events_key_idx').on(t.assignmentId, t.attempt, t.state),
    index('assignment_events_received_at_idx').on(t.receivedAt),
    // The job page's outcome chart (lib/jobs/job-outcomes.ts): a job's outcome events with their
    // times, read from the index alone (no heap visit per event). Partial on the terminal states
    // (TERMINAL_STATES in lib/assignments/transitions.ts; the chart's states, spelled the same way
    // in its queries so the planner can use it), so progress events cost nothing here. Measured
    // at 10,000 machines / 100,000 assignments / 275,000 events: each of the chart's two queries
    // 130-170 ms → 15 ms (bench/pages.ts). Cost: one more index entry per outcome event (an
    // agent's final report, or each assignment a cancel or expiry moves), ~6 MB per 100,000;
    // inserting 100,000 cancelled events in one statement touched 34% more buffers and took
    // ~1 s longer (2-2.6 s → 3-4.7 s on a busy 2-core machine). A fan-out writes no events.
    index('assignment_events_outcome_idx')
      .on(t.assignmentId, t.state, t.at, t.receivedAt)
      .where(sql`state in ('installed', 'failed', 'skipped', 'cancelled', 'expired')`),
  ],
);
export type AssignmentEvent = typeof assignmentEvents.$inferSelect;

/** Static groups of machines, with default installation windows for their members. */
export const machineGroups = pgTable(
  'machine_groups',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    // Default windows for members without windows of their own; null: none (any time).
    windows: jsonb('windows').$type<InstallationWindow[]>(),
    // Days ("YYYY-MM-DD", in each machine's own time zone) on which nothing installs on members.
    blackoutDates: jsonb('blackout_dates').$type<string[]>().notNull().default([]),
    // End users may put their own machines in this group from the portal (the seed's ID groups).
    selfService: boolean('self_service').notNull().default(false),
    // Guardrails for members' own windows: they must lie inside this envelope (null: anywhere)
    // and stay open at least this many minutes a week, so mandatory installs cannot be starved.
    windowEnvelope: jsonb('window_envelope').$type<InstallationWindow[]>(),
    minOpenMinutes: integer('min_open_minutes'),
    // The relay system members download from unless a machine has its own.
    relayId: uuid('relay_id').references((): AnyPgColumn => relays.id, { onDelete: 'set null' }),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('machine_groups_name_idx').on(t.name), index('machine_groups_created_by_idx').on(t.createdBy), index('machine_groups_relay_id_idx').on(t.relayId)],
);
export type MachineGroup = typeof machineGroups.$inferSelect;

export const groupMembers = pgTable(
  'group_members',
  {
    groupId: uuid('group_id')
      .notNull()
      .references(() => machineGroups.id, { onDelete: 'cascade' }),
    machineId: uuid('machine_id')
      .notNull()
      .references(() => machines.id, { onDelete: 'cascade' }),
    addedAt: timestamp('added_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.groupId, t.machineId] }), index('group_members_machine_id_idx').on(t.machineId)],
);

/** The groups a job was sent to: a machine that joins one later gets the job too. */
export const jobGroups = pgTable(
  'job_groups',
  {
    jobId: uuid('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    groupId: uuid('group_id')
      .notNull()
      .references(() => machineGroups.id, { onDelete: 'restrict' }),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.groupId] }), index('job_groups_group_id_idx').on(t.groupId)],
);

/**
 * A relay system: a pull-through cache of package content near the machines it serves
 * (depot-relay). Registered with a token an admin creates here (shown once, stored as SHA-256).
 * It reports what it holds and its disk on a heartbeat and carries out the orders recorded for it.
 */
export const relays = pgTable(
  'relays',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    // The base URL agents (and child relays) use to reach it, e.g. http://relay-berlin:8081.
    url: text('url').notNull(),
    // A relay fetches from its parent relay instead of the managing server (null: from the server).
    parentId: uuid('parent_id').references((): AnyPgColumn => relays.id, { onDelete: 'set null' }),
    tokenHash: text('token_hash').notNull(),
    prefix: text('prefix').notNull(),
    createdBy: uuid('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    // A revoked relay's token stops working at once; the relay answers 401 to its machines then.
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    // From its latest heartbeat.
    lastHeartbeatAt: timestamp('last_heartbeat_at', { withTimezone: true }),
    diskFreeBytes: bigint('disk_free_bytes', { mode: 'number' }),
    cacheUsedBytes: bigint('cache_used_bytes', { mode: 'number' }),
    cacheLimitBytes: bigint('cache_limit_bytes', { mode: 'number' }),
    health: jsonb('health').$type<Record<string, unknown>>().notNull().default({}),
  },
  (t) => [uniqueIndex('relays_name_idx').on(t.name), uniqueIndex('relays_token_hash_idx').on(t.tokenHash), index('relays_parent_id_idx').on(t.parentId), index('relays_created_by_idx').on(t.createdBy)],
);
export type Relay = typeof relays.$inferSelect;

/** What a relay holds, as of its latest heartbeat (replaced whole on each). */
export const relayContents = pgTable(
  'relay_contents',
  {
    relayId: uuid('relay_id')
      .notNull()
      .references(() => relays.id, { onDelete: 'cascade' }),
    sha256: text('sha256').notNull(),
    size: bigint('size', { mode: 'number' }).notNull(),
    lastUsedAt: timestamp('last_used_at', { withTimezone: true }),
    reportedAt: timestamp('reported_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.relayId, t.sha256] }), index('relay_contents_sha256_idx').on(t.sha256)],
);

export const relayOrderKindEnum = pgEnum('relay_order_kind', ['delete', 'prefetch']);
export const relayOrderStateEnum = pgEnum('relay_order_state', ['requested', 'done', 'failed']);

/**
 * An admin's order to one relay: delete a package's content from its cache, or fetch it ahead of
 * a job (transfer to relay). The relay learns it on its next heartbeat and reports the outcome on
 * the one after; the page shows requested → done (or the error). A batch (every relay at once)
 * shares a batch id.
 */
export const relayOrders = pgTable(
  'relay_orders',
  {
    id: uuid('id').primaryKey().default(sql`gen_random_uuid()`),
    relayId: uuid('relay_id')
      .notNull()
      .references(() => relays.id, { onDelete: 'cascade' }),
    kind: relayOrderKindEnum('kind').notNull(),
    sha256: text('sha256').notNull(),
    // For the page: which package it was for (content is shared by identical packages).
    packageId: uuid('package_id').references(() => packages.id, { onDelete: 'set null' }),
    packageLabel: text('package_label').notNull().default(''),
    batchId: uuid('batch_id'),
    state: relayOrderStateEnum('state').notNull().default('requested'),
    error: text('error'),
    requestedBy: uuid('requested_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    doneAt: timestamp('done_at', { withTimezone: true }),
  },
  (t) => [
    index('relay_orders_relay_id_state_idx').on(t.relayId, t.state),
    index('relay_orders_package_id_idx').on(t.packageId),
    index('relay_orders_requested_by_idx').on(t.requestedBy),
    index('relay_orders_batch_id_idx').on(t.batchId),
  ],
);
export type RelayOrder = typeof relayOrders.$inferSelect;
