import net from 'node:net';
import path from 'node:path';
import { z } from 'zod';

/**
 * The server's environment, parsed once at start. Every variable is documented in README.md;
 * a wrong value stops the server with a message naming the variable and what was expected.
 */
const flag = z
  .enum(['1', '0', 'true', 'false', 'yes', 'no'], { message: 'expected 1/0, true/false or yes/no' })
  .transform((v) => v === '1' || v === 'true' || v === 'yes');

const serverEnvSchema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
    PORT: z.coerce
      .number({ message: 'expected a port number' })
      .int('expected a whole port number')
      .min(0, 'expected a port from 0 to 65535')
      .max(65535, 'expected a port from 0 to 65535')
      .default(3000),
    HOST: z.string().min(1, 'expected a host name or address').default('0.0.0.0'),
    DATABASE_URL: z
      .url({ message: 'expected a PostgreSQL URL such as postgres://user@127.0.0.1:5432/depot' })
      .refine((u) => /^postgres(ql)?:\/\//.test(u), 'expected a URL starting with postgres:// or postgresql://')
      .optional(),
    DEPOT_DATA_DIR: z.string().min(1, 'expected a folder path').default('./.depot'),
    DEPOT_PUBLIC_URL: z
      .url({ message: 'expected the URL people and agents use to reach this server, e.g. https://depot.example.com' })
      .refine((u) => /^https?:\/\//.test(u), 'expected an http:// or https:// URL')
      .optional(),
    NEXTAUTH_URL: z.url({ message: 'expected a URL' }).optional(),
    NEXTAUTH_SECRET: z.string().min(32, 'expected at least 32 characters (run: openssl rand -base64 32)').optional(),
    DEPOT_SEED_DEMO: flag.optional(),
    DEPOT_DEMO_ADMIN_PASSWORD: z.string().min(10, 'expected at least 10 characters').optional(),
    DEPOT_DEMO_USER_PASSWORD: z.string().min(10, 'expected at least 10 characters').optional(),
    DEPOT_MAX_PACKAGE_SIZE: z
      .string()
      .regex(/^\d+(\.\d+)?\s*(|B|KiB|MiB|GiB|TiB)$/i, 'expected a size such as 8GiB, 500MiB or a number of bytes')
      .transform(parseSize)
      .default(8 * 1024 ** 3),
    DEPOT_DEV: flag.default(false),
    DEPOT_TRUSTED_PROXIES: z
      .string()
      .transform((value, ctx) => {
        const out: TrustedProxy[] = [];
        for (const entry of value.split(',').map((e) => e.trim()).filter(Boolean)) {
          const proxy = parseProxy(entry);
          if (!proxy) {
            ctx.addIssue({ code: 'custom', message: `"${entry.slice(0, 64)}" is not an IP address or CIDR range (expected e.g. 10.0.0.5, 10.0.0.0/8 or ::1, comma-separated)` });
            return z.NEVER;
          }
          out.push(proxy);
        }
        return out;
      })
      .optional(),
    DEPOT_SWEEP_SECONDS: z.coerce
      .number({ message: 'expected a number of seconds' })
      .int('expected a whole number of seconds')
      .min(0, 'expected 0 (off) or more seconds')
      .max(86_400, 'expected at most 86400 seconds')
      .default(60),
  })
  .superRefine((env, ctx) => {
    if (env.DEPOT_PUBLIC_URL && env.NEXTAUTH_URL && new URL(env.DEPOT_PUBLIC_URL).origin !== new URL(env.NEXTAUTH_URL).origin) {
      ctx.addIssue({
        code: 'custom',
        path: ['NEXTAUTH_URL'],
        message: `must have the same origin as DEPOT_PUBLIC_URL (${env.DEPOT_PUBLIC_URL}); set only DEPOT_PUBLIC_URL`,
      });
    }
    if (env.DEPOT_PUBLIC_URL && new URL(env.DEPOT_PUBLIC_URL).pathname !== '/') {
      ctx.addIssue({
        code: 'custom',
        path: ['DEPOT_PUBLIC_URL'],
        message: 'expected an origin without a path (Depot is served from the root of its host)',
      });
    }
  });

/** An address or CIDR range whose X-Forwarded-* headers are believed (lib/server/client-address.ts). */
export interface TrustedProxy {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

function parseProxy(entry: string): TrustedProxy | null {
  const [address, prefixText, extra] = entry.split('/');
  const version = net.isIP(address);
  if (!version || extra !== undefined) return null;
  const max = version === 4 ? 32 : 128;
  if (prefixText !== undefined && !/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = prefixText === undefined ? max : Number(prefixText);
  if (prefix > max) return null;
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

export interface ServerEnv {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  databaseUrl?: string;
  dataDir: string;
  publicUrl?: string;
  nextAuthSecret?: string;
  /** Demo admin and user on first start: default on for the embedded database, off for PostgreSQL. */
  seedDemo: boolean;
  dev: boolean;
  /** The largest package content accepted, in bytes. */
  maxPackageBytes: number;
  /** How often expiry (offers past their deadline, expired packages) is swept; 0: never. */
  sweepSeconds: number;
  /** Proxies whose X-Forwarded-For/-Host/-Proto are believed; everyone else's are removed. */
  trustedProxies: TrustedProxy[];
  /** Fixed demo passwords (tests, scripted demos); random when unset. */
  demoPasswords: { admin?: string; user?: string };
}

const UNITS: Record<string, number> = { '': 1, b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3, tib: 1024 ** 4 };
function parseSize(value: string): number {
  const [, number, unit] = /^(\d+(?:\.\d+)?)\s*(\w*)$/.exec(value)!;
  return Math.floor(Number(number) * UNITS[unit.toLowerCase()]);
}

export class EnvError extends Error {
  constructor(readonly problems: string[]) {
    super(`Depot cannot start: the environment is not valid.\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EnvError';
  }
}

export interface ParseServerEnvOptions {
  /** False for tools that never sign sessions (create-admin), so they need no NEXTAUTH_SECRET. */
  signsSessions?: boolean;
}

export function parseServerEnv(source: Record<string, string | undefined>, { signsSessions = true }: ParseServerEnvOptions = {}): ServerEnv {
  // An empty variable means "not set", as in most shells' `FOO= cmd`.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const result = serverEnvSchema.safeParse(cleaned);
  const problems = result.success
    ? []
    : result.error.issues.map((issue) => {
        const name = issue.path.join('.') || 'environment';
        const given = typeof cleaned[name] === 'string' && !/SECRET|URL|PASSWORD/.test(name) ? ` (got "${cleaned[name]}")` : '';
        return `${name}: ${issue.message}${given}`;
      });
  // Every server behind a load balancer must sign sessions with the same secret, and the database
  // (and its backups) must not be enough to forge one: on PostgreSQL it comes from the
  // environment. PGlite keeps a generated one in a 0600 file (lib/server/auth-secret.ts).
  if (signsSessions && cleaned.DATABASE_URL && !cleaned.NEXTAUTH_SECRET) {
    problems.push('NEXTAUTH_SECRET: required with DATABASE_URL, the session signing secret every server shares (generate one with: openssl rand -base64 32)');
  }
  if (!result.success || problems.length) throw new EnvError(problems);
  const env = result.data;
  return {
    nodeEnv: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    databaseUrl: env.DATABASE_URL,
    dataDir: path.resolve(env.DEPOT_DATA_DIR),
    publicUrl: env.DEPOT_PUBLIC_URL ?? env.NEXTAUTH_URL,
    nextAuthSecret: env.NEXTAUTH_SECRET,
    seedDemo: env.DEPOT_SEED_DEMO ?? !env.DATABASE_URL,
    dev: env.DEPOT_DEV,
    maxPackageBytes: env.DEPOT_MAX_PACKAGE_SIZE,
    sweepSeconds: env.DEPOT_SWEEP_SECONDS,
    trustedProxies: env.DEPOT_TRUSTED_PROXIES ?? [],
    demoPasswords: { admin: env.DEPOT_DEMO_ADMIN_PASSWORD, user: env.DEPOT_DEMO_USER_PASSWORD },
  };
}
