/**
 * Creates an admin on the configured database (DATABASE_URL, else the PGlite folder in
 * DEPOT_DATA_DIR): how a PostgreSQL installation gets its first admin, since nothing is seeded
 * there. The password is read from standard input (prompted on a terminal), never from argv,
 * where other users could see it in the process list.
 *
 *   npm run create-admin -- --email you@example.com [--name "Your Name"]
 */
import readline from 'node:readline';
import { Writable } from 'node:stream';
import { Command } from 'commander';
import { z } from 'zod';
import { openDatabase } from '@/db/client';
import { migrateDatabase } from '@/db/migrate';
import { DataDirInUseError } from '@/db/pglite-lock';
import { EnvError, parseServerEnv } from '@/lib/env';
import { AppError } from '@/lib/errors';
import { createUser } from '@/lib/users/create-user';

const optionsSchema = z.object({ email: z.string(), name: z.string().optional() });

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').split(/\r?\n/, 1)[0];
  }
  // Prompt without echoing what is typed.
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stdout.write(chunk);
      done();
    },
  });
  const rl = readline.createInterface({ input: process.stdin, output, terminal: true });
  const ask = (q: string) =>
    new Promise<string>((resolve) => {
      process.stdout.write(q);
      muted = true;
      rl.question('', (answer) => {
        muted = false;
        process.stdout.write('\n');
        resolve(answer);
      });
    });
  try {
    const first = await ask('Password (at least 10 characters): ');
    const second = await ask('Repeat the password: ');
    if (first !== second) throw new AppError('invalid_input', { field: 'password', message: 'password: the two entries differ' });
    return first;
  } finally {
    rl.close();
  }
}

async function main(): Promise<void> {
  const program = new Command('create-admin')
    .description('Create a Depot admin on the configured database')
    .requiredOption('--email <email>', 'the admin’s email address (their sign-in)')
    .option('--name <name>', 'the admin’s display name')
    .parse();
  const options = optionsSchema.parse(program.opts());
  // Creating a user signs no session: no NEXTAUTH_SECRET needed.
  const env = parseServerEnv(process.env, { signsSessions: false });
  const password = await readPassword();
  const database = await openDatabase({ databaseUrl: env.databaseUrl, dataDir: env.dataDir });
  try {
    await migrateDatabase(database);
    const user = await createUser(database.db, {
      actor: null,
      system: true,
      input: { email: options.email, name: options.name ?? options.email.split('@')[0], role: 'admin', password },
    });
    console.log(`Created admin ${user.email}. Sign in at /signin.`);
  } finally {
    await database.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof AppError || error instanceof EnvError || error instanceof DataDirInUseError) console.error(error.message);
  else console.error('create-admin failed:', error);
  process.exit(1);
});
