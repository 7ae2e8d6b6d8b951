import { sql } from 'drizzle-orm';
import { bigint, bigserial, boolean, index, integer, jsonb, pgEnum, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
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
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('users_email_idx').on(t.email)],
);
export type User = typeof users.$inferSelect;

/**
 * Failed sign-ins per email (known or not, so a lockout tells nothing about which accounts
 * exist). The row is the truth, so every server behind a load balancer counts the same failures.
 */
export const signInThrottle = pgTable(
  'sign_in_throttle',
  {
    email: text('email').primaryKey(),
    failures: integer('failures').notNull(),
    windowStartedAt: timestamp('window_started_at', { withTimezone: true }).notNull(),
    lockedUntil: timestamp('locked_until', { withTimezone: true }),
  },
  (t) => [index('sign_in_throttle_window_started_at_idx').on(t.windowStartedAt)],
);

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

/**
 * Server-wide settings every server process must agree on (the session signing secret):
 * kept in the database so N servers behind a load balancer share them.
 */
export const serverSettings = pgTable('server_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

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
    timeZone: text('time_zone').notNull().default('UTC'),
    facts: jsonb('facts').$type<Record<string, unknown>>().notNull().default({}),
    // Bumped by every change that affects what this machine should do; the plan's ETag.
    planVersion: bigint('plan_version', { mode: 'number' }).notNull().default(1),
    enrolledAt: timestamp('enrolled_at', { withTimezone: true }).notNull().defaultNow(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }),
    retiredAt: timestamp('retired_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('machines_token_hash_idx').on(t.tokenHash),
    index('machines_enrolment_secret_id_idx').on(t.enrolmentSecretId),
    index('machines_owner_id_idx').on(t.ownerId),
  ],
);
export type Machine = typeof machines.$inferSelect;
