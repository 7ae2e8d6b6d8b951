/**
 * The Depot server process: the agent API fast path (plain Node http handlers), then Next's
 * request handler for pages, server actions and the JSON API. Nothing starts on import of any
 * module; this file opens the database, migrates, seeds, listens, and stops it all on SIGTERM.
 */
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { and, eq } from 'drizzle-orm';
import next from 'next';
import { openDatabase, setProcessDatabase, type Database } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { DataDirInUseError } from '@/db/pglite-lock';
import { users } from '@/db/schema';
import { handleFastPath } from '@/lib/agent-api/fast-path';
import { AppError, logClientAbort } from '@/lib/errors';
import { clientGone } from '@/lib/http/client-gone';
import { readMultipartPost } from '@/lib/http/multipart-post';
import { answerRefusal, refuseBadRequestTarget } from '@/lib/http/request-target';
import { sweepOrphanContent } from '@/lib/content/release-content';
import { ContentStore, setProcessContentStore } from '@/lib/content/store';
import { EnvError, parseServerEnv, type ServerEnv } from '@/lib/env';
import { loadOrCreateAuthSecret } from '@/lib/server/auth-secret';
import { handleRequestEdge } from '@/lib/server/request-edge';
import { startSweeper } from '@/lib/sweep/sweeper';
import { seedDemo, type DemoSignIn } from '@/lib/users/seed-demo';
import packageJson from './package.json' with { type: 'json' };

const projectDir = path.dirname(fileURLToPath(import.meta.url));

async function main(): Promise<void> {
  const started = performance.now();
  const env = parseServerEnv(process.env);

  const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
  setProcessDatabase(database);
  let stopping = false;
  let sweeper: ReturnType<typeof startSweeper> | undefined;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[depot] ${signal}: stopping`);
    sweeper?.stop();
    await closeServer(server);
    // A handler stuck on a lock must not keep the process alive past its stop.
    await Promise.race([database.close().catch(() => {}), new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
    process.exit(0);
  };

  await migrateDatabase(database);
  const store = new ContentStore(path.join(env.dataDir, 'blobs'));
  setProcessContentStore(store, env.maxPackageBytes);
  await store.sweepTemp();
  // Servers starting together take turns, so the demo users are seeded once.
  const seeded = env.seedDemo ? await database.withLock(SEED_LOCK, (db) => seedDemo(db, env.demoPasswords)) : null;
  configureAuth(env, loadOrCreateAuthSecret({ configured: env.nextAuthSecret, dataDir: env.dataDir }));

  const app = next({ dev: env.dev, dir: projectDir, hostname: 'localhost', port: env.port });
  await app.prepare();
  const handle = app.getRequestHandler();

  const edge = handleRequestEdge(env.trustedProxies);
  const server = http.createServer((req, res) => {
    if (refuseBadRequestTarget(req, res)) return;
    // Before anything reads the request: the client address stamped, untrusted forwarded headers
    // removed, a foreign server action refused (lib/server/request-edge.ts).
    if (edge(req, res)) return;
    handleFastPath(req, res, { database, store, maxPackageBytes: env.maxPackageBytes, version: packageJson.version })
      .then(async (handled) => {
        if (handled) return;
        if (req.method === 'POST' && /^\s*multipart\//i.test(req.headers['content-type'] ?? '')) {
          // Next reads a multipart POST as a possible server action; a broken one was a 500.
          const checked = await readMultipartPost(req).catch((error: unknown) => {
            if (!(error instanceof AppError)) throw error;
            answerRefusal(req, res, error);
            return null;
          });
          if (checked) await handle(checked, res);
          return;
        }
        await handle(req, res);
      })
      .catch((error: unknown) => {
        if (clientGone(req, res)) logClientAbort('-'); // debug level only
        else console.error('[depot] request failed:', error);
        if (!res.headersSent) {
          res.statusCode = 500;
          res.end();
        }
      });
  });
  server.keepAliveTimeout = 65_000; // longer than common load balancers' idle timeout
  // Node's default 5-minute limit on a whole request would cut a slow multi-gigabyte upload;
  // a connection is cut instead when it sends nothing for 2 minutes.
  server.requestTimeout = 0;
  server.timeout = 120_000;

  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(env.port, env.host, resolve);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : env.port;
  await printWelcome(env, database, port, seeded, performance.now() - started);
  // After start, not before: a large store must not delay serving.
  sweepOrphanContent(database.db, store)
    .then((n) => n > 0 && console.log(`[depot] removed ${n} content file(s) no package used (left by an interrupted deletion)`))
    .catch((error: unknown) => console.error('[depot] content sweep failed:', error));
  sweeper = startSweeper(database.db, { everyMs: env.sweepSeconds * 1000 });
  if (env.sweepSeconds > 0) void sweeper.runOnce().catch((error: unknown) => console.error('[depot] expiry sweep failed:', error));
}

const SEED_LOCK = 0x73656564; // "seed"

function configureAuth(env: ServerEnv, secret: string): void {
  process.env.NEXTAUTH_SECRET = secret;
  if (env.publicUrl) {
    process.env.NEXTAUTH_URL = env.publicUrl;
  } else {
    // Without a configured public URL, next-auth builds its URLs from the request's Host header
    // (so http://localhost:3000 and http://127.0.0.1:3000 both work). Set DEPOT_PUBLIC_URL in
    // production so links and cookies are tied to one origin.
    process.env.AUTH_TRUST_HOST = 'true';
  }
}

async function printWelcome(env: ServerEnv, database: Database, port: number, seeded: DemoSignIn[] | null, ms: number): Promise<void> {
  const url = env.publicUrl ?? `http://localhost:${port}`;
  const where = database.kind === 'pglite' ? `embedded PGlite in ${database.location}` : `PostgreSQL at ${database.location}`;
  const lines = [`Depot ${packageJson.version} is ready in ${(ms / 1000).toFixed(1)} s.`, `  Sign in at ${url}/signin`, `  Database: ${where}`];
  if (seeded) {
    lines.push('  Demo sign-ins, shown this once (change them on the Users page):');
    for (const u of seeded) lines.push(`    ${u.role.padEnd(6)} ${u.email} / ${u.password}`);
  } else {
    const [anyAdmin] = await database.db.select({ email: users.email }).from(users).where(and(eq(users.role, 'admin'), eq(users.disabled, false))).limit(1);
    if (!anyAdmin) lines.push('  No admin yet: create one with  npm run create-admin -- --email you@example.com');
    else if (env.seedDemo) lines.push(`  Demo sign-ins were shown at the first start. Lost them? npm run create-admin -- --email you@example.com`);
  }
  console.log(lines.join('\n'));
}

function closeServer(server: http.Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    // Keep-alive connections become idle as their last response ends: close them as they do,
    // and cut whatever still runs after 10 s so a stop never hangs.
    const started = Date.now();
    const sweep = setInterval(() => {
      server.closeIdleConnections();
      if (Date.now() - started > 10_000) {
        server.closeAllConnections();
        clearInterval(sweep);
        resolve();
      }
    }, 100);
    sweep.unref();
    server.closeIdleConnections();
  });
}

main().catch((error: unknown) => {
  if (error instanceof EnvError || error instanceof DataDirInUseError) {
    console.error(error.message);
  } else {
    console.error('[depot] failed to start:', error);
  }
  process.exit(1);
});
