-- A fan-out bumps plan_version on every destination machine in one UPDATE. With half of each
-- page free, every row's new version fits on its own page (HOT: no index entries written), whatever
-- the size of the machine's facts; at fillfactor 70 only 44% of 100,000 bare rows fitted and the
-- UPDATE took 1.3 s of CPU instead of 0.35 s (bench/fan-out.ts). The next read of a page prunes
-- the old versions, which makes the room again for the next bump.
ALTER TABLE "machines" SET (fillfactor = 50);--> statement-breakpoint
-- Existing pages only get the room when the table is rewritten; CLUSTER rewrites it inside the
-- migration's transaction (VACUUM FULL cannot run in one).
CLUSTER "machines" USING "machines_pkey";
