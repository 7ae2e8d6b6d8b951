import { defineConfig } from 'drizzle-kit';

// Migrations are generated from db/schema.ts with `npm run db:generate` and committed;
// they are applied at start by db/migrate.ts on PostgreSQL and PGlite alike.
export default defineConfig({
  dialect: 'postgresql',
  schema: './db/schema.ts',
  out: './db/migrations',
});
