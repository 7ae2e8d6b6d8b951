-- assignments.job_id → jobs and assignments.machine_id → machines, enforced once per statement
-- instead of by two foreign keys. A foreign key checks each inserted row with its own lookup: on
-- one job's fan-out to 100,000 machines (bench/fan-out.ts, PostgreSQL 15) those 200,000 lookups
-- took half the statement (0.96 s of 1.93 s, EXPLAIN ANALYZE); one set-based check per statement costs
-- ~0.2 s. The rules stay the ones the foreign keys kept:
--   * an assignment's job and machine exist (checked after each INSERT statement, error 23503);
--   * their rows are share-locked (FOR KEY SHARE) as a foreign key locks them, so a concurrent
--     delete of the job or machine either waits for the inserting transaction (and then deletes
--     its assignments too) or makes the insert fail;
--   * an assignment never moves to another job or machine, and a job or machine keeps its id
--     (the foreign keys refused such updates while referenced; nothing in Depot makes them);
--   * deleting jobs or machines deletes their assignments (ON DELETE CASCADE before; their
--     assignment_events go by that table's own foreign key), and TRUNCATE of jobs or machines is
--     refused while assignments exist.
-- Each check runs through EXECUTE so it is planned for the statement's own row count: a plan
-- cached by PL/pgSQL would keep the one made for the first call (one row: an index probe per row).
ALTER TABLE "assignments" DROP CONSTRAINT "assignments_job_id_jobs_id_fk";--> statement-breakpoint
ALTER TABLE "assignments" DROP CONSTRAINT "assignments_machine_id_machines_id_fk";--> statement-breakpoint
CREATE FUNCTION "public"."assignments_require_references"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  job_ids uuid[];
  inserted bigint;
  found bigint;
  missing uuid;
BEGIN
  EXECUTE 'SELECT array_agg(DISTINCT job_id), count(*) FROM new_assignments' INTO job_ids, inserted;
  IF inserted = 0 THEN
    RETURN NULL;
  END IF;
  -- A job's fan-out names one job: lock and count the distinct ids, not one per row.
  EXECUTE 'SELECT count(*) FROM (SELECT 1 FROM public.jobs WHERE id = ANY($1) FOR KEY SHARE) AS l' INTO found USING job_ids;
  IF found < cardinality(job_ids) THEN
    SELECT j INTO missing FROM unnest(job_ids) AS j WHERE NOT EXISTS (SELECT 1 FROM public.jobs WHERE id = j) LIMIT 1;
    RAISE EXCEPTION 'insert on table "assignments" refused: job % does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignments', COLUMN = 'job_id', CONSTRAINT = 'assignments_job_id_exists';
  END IF;
  -- One machine per row (machines.id is the key), so every row finds its machine exactly when
  -- the join keeps every row.
  EXECUTE 'SELECT count(*) FROM (SELECT 1 FROM new_assignments AS n JOIN public.machines AS m ON m.id = n.machine_id FOR KEY SHARE OF m) AS l' INTO found;
  IF found < inserted THEN
    EXECUTE 'SELECT n.machine_id FROM new_assignments AS n WHERE NOT EXISTS (SELECT 1 FROM public.machines AS m WHERE m.id = n.machine_id) LIMIT 1' INTO missing;
    RAISE EXCEPTION 'insert on table "assignments" refused: machine % does not exist', missing
      USING ERRCODE = 'foreign_key_violation', TABLE = 'assignments', COLUMN = 'machine_id', CONSTRAINT = 'assignments_machine_id_exists';
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "assignments_require_references" AFTER INSERT ON "assignments" REFERENCING NEW TABLE AS new_assignments FOR EACH STATEMENT EXECUTE FUNCTION "public"."assignments_require_references"();--> statement-breakpoint
CREATE FUNCTION "public"."assignments_refuse_move"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'update on table "assignments" refused: assignment % belongs to job % and machine % for good; make a new assignment instead', OLD.id, OLD.job_id, OLD.machine_id
    USING ERRCODE = 'integrity_constraint_violation', TABLE = 'assignments';
END
$$;--> statement-breakpoint
-- Per row, but only for an UPDATE that names job_id or machine_id (none in Depot) and changes it.
CREATE TRIGGER "assignments_refuse_move" BEFORE UPDATE OF job_id, machine_id ON "assignments" FOR EACH ROW
  WHEN (OLD.job_id IS DISTINCT FROM NEW.job_id OR OLD.machine_id IS DISTINCT FROM NEW.machine_id)
  EXECUTE FUNCTION "public"."assignments_refuse_move"();--> statement-breakpoint
CREATE FUNCTION "public"."assignment_parent_refuse_new_id"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'update on table "%" refused: id % never changes (assignments refer to jobs and machines by id)', TG_TABLE_NAME, OLD.id
    USING ERRCODE = 'integrity_constraint_violation', TABLE = TG_TABLE_NAME, COLUMN = 'id';
END
$$;--> statement-breakpoint
CREATE TRIGGER "jobs_refuse_new_id" BEFORE UPDATE OF id ON "jobs" FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION "public"."assignment_parent_refuse_new_id"();--> statement-breakpoint
CREATE TRIGGER "machines_refuse_new_id" BEFORE UPDATE OF id ON "machines" FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id)
  EXECUTE FUNCTION "public"."assignment_parent_refuse_new_id"();--> statement-breakpoint
CREATE FUNCTION "public"."jobs_delete_assignments"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DELETE FROM public.assignments AS a USING old_jobs AS o WHERE a.job_id = o.id';
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "jobs_delete_assignments" AFTER DELETE ON "jobs" REFERENCING OLD TABLE AS old_jobs FOR EACH STATEMENT
  EXECUTE FUNCTION "public"."jobs_delete_assignments"();--> statement-breakpoint
CREATE FUNCTION "public"."machines_delete_assignments"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE 'DELETE FROM public.assignments AS a USING old_machines AS o WHERE a.machine_id = o.id';
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "machines_delete_assignments" AFTER DELETE ON "machines" REFERENCING OLD TABLE AS old_machines FOR EACH STATEMENT
  EXECUTE FUNCTION "public"."machines_delete_assignments"();--> statement-breakpoint
CREATE FUNCTION "public"."assignment_parent_refuse_truncate"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM public.assignments) THEN
    RAISE EXCEPTION 'truncate of table "%" refused: assignments refer to it; delete them (or truncate assignments) first', TG_TABLE_NAME
      USING ERRCODE = 'foreign_key_violation', TABLE = TG_TABLE_NAME;
  END IF;
  RETURN NULL;
END
$$;--> statement-breakpoint
CREATE TRIGGER "jobs_refuse_truncate" BEFORE TRUNCATE ON "jobs" FOR EACH STATEMENT
  EXECUTE FUNCTION "public"."assignment_parent_refuse_truncate"();--> statement-breakpoint
CREATE TRIGGER "machines_refuse_truncate" BEFORE TRUNCATE ON "machines" FOR EACH STATEMENT
  EXECUTE FUNCTION "public"."assignment_parent_refuse_truncate"();
