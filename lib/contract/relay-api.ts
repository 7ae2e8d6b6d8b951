/**
 * The relay protocol, /api/relay/v1: what depot-relay and the managing server say to each other,
 * and what a relay says to its child relays. Imports only zod (depot-relay imports it too).
 *
 *   agent ──GET /api/agent/v1/content/<sha256> (machine token, Range)──► relay
 *   relay ──HEAD /api/agent/v1/content/<sha256> (the same machine token)──► managing server
 *           (may this machine have this content? 200 / 401 / 404; cached briefly by the relay)
 *   relay ──GET /api/relay/v1/content/<sha256> (relay token)──► parent relay or managing server
 *           (a parent relay checks the child's relay token the same way, with a HEAD upstream)
 *   relay ──POST /api/relay/v1/heartbeat (relay token)──► managing server
 *           (what it holds, its disk, its health, the outcome of orders;
 *            answered with new orders and the content active jobs still need)
 */
import { z } from 'zod';
import { sha256Schema } from './package-manifest';

export const RELAY_API = '/api/relay/v1';

const bytes = z.number({ message: 'expected a number of bytes' }).int().nonnegative();
const isoTime = z.iso.datetime({ offset: true, message: 'expected an ISO 8601 time' });

/** One cached package content on the relay (finished and verified; downloads in progress are not listed). */
export const heldContentSchema = z
  .object({
    sha256: sha256Schema,
    size: bytes,
    lastUsedAt: isoTime.nullable(),
  })
  .strict();
export type HeldContent = z.infer<typeof heldContentSchema>;

export const orderOutcomeSchema = z
  .object({
    orderId: z.uuid({ message: 'expected the order id (a UUID)' }),
    state: z.enum(['done', 'failed'], { message: 'expected done or failed' }),
    error: z.string().max(2000, 'expected at most 2000 characters').nullable().default(null),
  })
  .strict();
export type OrderOutcome = z.infer<typeof orderOutcomeSchema>;

export const relayHealthSchema = z
  .object({
    version: z.string().max(64),
    startedAt: isoTime,
    activeClients: z.number().int().nonnegative(),
    maxClients: z.number().int().positive(),
    /** Since the relay started: bytes sent to machines and child relays, and fetched upstream. */
    bytesServed: bytes,
    bytesFetched: bytes,
    /** Requests refused with 503 because maxClients were busy, since start. */
    refused: z.number().int().nonnegative(),
    /** The last upstream or disk error, if any, for the page. */
    lastError: z.string().max(2000).nullable(),
    /**
     * How cached files go out: by sendfile(2), or through JavaScript (about half as fast) with the
     * reason, so the page can say why a relay is slow. Optional: relays before it do not send it.
     */
    sending: z.object({ path: z.enum(['sendfile', 'javascript']), why: z.string().max(500).optional() }).strict().optional(),
  })
  .strict();
export type RelayHealth = z.infer<typeof relayHealthSchema>;

export const heartbeatRequestSchema = z
  .object({
    diskFreeBytes: bytes,
    cacheUsedBytes: bytes,
    cacheLimitBytes: bytes,
    /** Everything it holds now: the server replaces its list with this one. */
    held: z.array(heldContentSchema).max(100_000, 'expected at most 100,000 held contents'),
    /** Outcomes of orders since the last heartbeat that the server acknowledged. */
    orders: z.array(orderOutcomeSchema).max(10_000).default([]),
    health: relayHealthSchema,
  })
  .strict();
export type HeartbeatRequest = z.input<typeof heartbeatRequestSchema>;

export const relayOrderSchema = z.object({
  orderId: z.uuid(),
  /** delete: remove the content from the cache (after the downloads running now finish); prefetch: fetch it now. */
  kind: z.enum(['delete', 'prefetch']),
  sha256: sha256Schema,
  size: bytes,
});
export type RelayOrderMessage = z.infer<typeof relayOrderSchema>;

export const heartbeatResponseSchema = z.object({
  relayId: z.uuid(),
  name: z.string(),
  /** When to send the next heartbeat. */
  heartbeatSeconds: z.number().int().positive(),
  /** Orders still requested (repeated until their outcome is reported: carrying one out twice is harmless). */
  orders: z.array(relayOrderSchema),
  /** Content that an unfinished job of a machine this relay serves still needs: never evicted for space. */
  pinned: z.array(sha256Schema),
});
export type HeartbeatResponse = z.infer<typeof heartbeatResponseSchema>;

/** Relays answer their own errors in the agent API's shape. */
export const relayErrorSchema = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
