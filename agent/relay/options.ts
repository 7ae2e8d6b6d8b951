import path from 'node:path';
import { z } from 'zod';
import { parseBytes, parseDuration } from './units';

/** Bad command-line input: printed as is, exit code 2. */
export class UsageError extends Error {}

export interface RelayOptions {
  /** The managing server: heartbeats and every authorization check go here. */
  server: string;
  token: string;
  /** Where machines and child relays reach this relay; host undefined: every interface. */
  listen: { host: string | undefined; port: number };
  cacheDir: string;
  /** Where content is fetched from: a parent relay, else the managing server. */
  upstream: string;
  maxClients: number;
  cacheSizeBytes: number;
  /**
   * The operator's --heartbeat: the longest wait between heartbeats, even when the server's
   * heartbeatSeconds is longer. null: as the server says (30 s until its first answer).
   */
  heartbeatMs: number | null;
}

export interface RawRelayOptions {
  server?: string;
  token?: string;
  listen?: string;
  cache?: string;
  upstream?: string;
  maxClients?: string;
  cacheSize?: string;
  heartbeat?: string;
}

const baseUrl = (flag: string) =>
  z
    .url({ message: `${flag}: expected a URL, e.g. https://depot.example.com` })
    .refine((u) => URL.canParse(u) && /^https?:$/.test(new URL(u).protocol), `${flag}: expected an http:// or https:// URL`)
    .transform((u) => u.replace(/\/+$/, ''));

const schema = z.object({
  server: baseUrl('--server'),
  token: z.string({ message: '--token: expected the relay token from the Relays page (or set DEPOT_RELAY_TOKEN)' }).min(1, '--token: expected the relay token from the Relays page (or set DEPOT_RELAY_TOKEN)'),
  listen: z
    .string({ message: '--listen: expected [HOST:]PORT, e.g. :8081 or 10.0.0.5:8081' })
    .transform((text, ctx) => {
      const match = /^(?:(\[[^\]]+\]|[^:[\]]*):)?(\d{1,5})$/.exec(text.trim());
      const port = match ? Number(match[2]) : NaN;
      if (!match || port > 65535) {
        ctx.addIssue({ code: 'custom', message: '--listen: expected [HOST:]PORT, e.g. :8081 or 10.0.0.5:8081' });
        return z.NEVER;
      }
      const host = match[1] ? match[1].replace(/^\[|\]$/g, '') : undefined;
      return { host, port };
    }),
  cache: z.string({ message: '--cache: expected the cache directory' }).min(1, '--cache: expected the cache directory'),
  upstream: baseUrl('--upstream').optional(),
  maxClients: z.coerce
    .number({ message: '--max-clients: expected a whole number of at least 1' })
    .int('--max-clients: expected a whole number of at least 1')
    .min(1, '--max-clients: expected a whole number of at least 1')
    .max(100_000, '--max-clients: expected at most 100000'),
  cacheSize: z.string().transform((text, ctx) => {
    const bytes = parseBytes(text);
    if (bytes === null || bytes < 1) {
      ctx.addIssue({ code: 'custom', message: '--cache-size: expected a size such as 20GiB, 500GB or 800MiB' });
      return z.NEVER;
    }
    return bytes;
  }),
  heartbeat: z.string().optional().transform((text, ctx) => {
    if (text === undefined) return null;
    const ms = parseDuration(text);
    if (ms === null || ms < 1000 || ms > 3_600_000) {
      ctx.addIssue({ code: 'custom', message: '--heartbeat: expected a duration from 1s to 1h, such as 30s or 2m' });
      return z.NEVER;
    }
    return ms;
  }),
});

export const DEFAULTS = { maxClients: '200', cacheSize: '20GiB' } as const;

/**
 * The relay's options from commander and the environment. The token may come from
 * DEPOT_RELAY_TOKEN instead of --token, which other users of the host can read in the process list.
 */
export function parseRelayOptions(raw: RawRelayOptions, env: Record<string, string | undefined> = process.env): RelayOptions {
  const parsed = schema.safeParse({
    server: raw.server,
    token: raw.token ?? env.DEPOT_RELAY_TOKEN,
    listen: raw.listen,
    cache: raw.cache,
    upstream: raw.upstream,
    maxClients: raw.maxClients ?? DEFAULTS.maxClients,
    cacheSize: raw.cacheSize ?? DEFAULTS.cacheSize,
    heartbeat: raw.heartbeat,
  });
  if (!parsed.success) throw new UsageError(parsed.error.issues[0].message);
  const o = parsed.data;
  return {
    server: o.server,
    token: o.token,
    listen: o.listen,
    cacheDir: path.resolve(o.cache),
    upstream: o.upstream ?? o.server,
    maxClients: o.maxClients,
    cacheSizeBytes: o.cacheSize,
    heartbeatMs: o.heartbeat,
  };
}
