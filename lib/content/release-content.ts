import { eq, sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { contentBlobs } from '@/db/schema';
import type { ContentStore } from './store';

/**
 * Takes the per-content lock that orders "an upload puts this content in place" against "the
 * last package using it was deleted, remove the file". Held until the transaction ends; on PGlite
 * (one connection) transactions are already serial and the lock is simply granted.
 */
export async function lockContent(tx: Db, sha256: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`depot-content:${sha256}`}, 0))`);
}

/**
 * Removes the files of content that no row references any more. Runs after the deleting
 * transaction committed, one short transaction per file under the content lock, so an upload of
 * the same bytes either finishes first (its row exists: the file stays) or comes after (it puts
 * its own copy in place).
 */
export async function removeUnreferencedContent(db: Db, store: ContentStore, shas: Iterable<string>): Promise<void> {
  for (const sha256 of new Set(shas)) {
    await db.transaction(async (tx) => {
      await lockContent(tx, sha256);
      const [row] = await tx.select({ sha256: contentBlobs.sha256 }).from(contentBlobs).where(eq(contentBlobs.sha256, sha256));
      if (!row) await store.remove(sha256);
    });
  }
}

/**
 * Removes blob files that no content row references: left by a crash between a deletion's
 * commit and its file removal. One query finds the candidates; each is re-checked under its
 * content lock, so an upload putting the same bytes in place on another server is never hit.
 */
export async function sweepOrphanContent(db: Db, store: ContentStore): Promise<number> {
  const onDisk = await store.listBlobs();
  if (onDisk.length === 0) return 0;
  const known = new Set((await db.select({ sha256: contentBlobs.sha256 }).from(contentBlobs)).map((r) => r.sha256));
  const orphans = onDisk.filter((sha) => !known.has(sha));
  await removeUnreferencedContent(db, store, orphans);
  return orphans.length;
}
