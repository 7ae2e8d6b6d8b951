import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { pageParam } from '@/lib/http/page-param';
import type { Db } from '@/db/client';
import { machines, type AssignmentState } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { pgArray, rowsOf } from '@/lib/sql';

const YES = ['true', '1', 'on'];

export const catalogQuerySchema = z.object({
  /** Matches the name, package ID, publisher and description. */
  // An empty field (the search form sends every field) means no filter.
  q: z.string().trim().max(200, 'expected at most 200 characters').optional().transform((v) => v || undefined),
  category: z.string().trim().max(100, 'expected at most 100 characters').optional().transform((v) => v || undefined),
  showRejected: z.enum([...YES, 'false', '0', 'off'], { message: 'expected true or false' }).optional().transform((v) => YES.includes(v ?? '')),
  page: pageParam(),
  pageSize: z.coerce.number({ message: 'expected a number' }).int('expected a whole number').min(1, 'expected 1 to 100').max(100, 'expected 1 to 100').default(10),
});
// Loose on purpose: pages pass raw search params and this operation parses them.
export type CatalogQuery = { [K in keyof z.input<typeof catalogQuerySchema>]?: unknown };

/** One machine of the user's the package is offered to, and where that offer stands there. */
export interface CatalogMachine {
  machineId: string;
  hostname: string;
  assignmentId: string;
  jobId: string;
  /** offered; pending…installing (chosen); installed; declined; failed or skipped (it was tried). */
  state: AssignmentState;
  runNow: boolean;
  /** The offer allows "install now". */
  allowInstallNow: boolean;
  /** When the offer expires (its deadline), if it does. */
  expiresAt: string | null;
  /** For an installed one: its latest uninstall since (pending … installed = removed), if any. */
  removal: AssignmentState | null;
}

export interface CatalogEntry {
  /** The package's id (a UUID). */
  id: string;
  packageId: string;
  version: string;
  displayName: string;
  publisher: string;
  category: string;
  description: string;
  size: number;
  /** The user may uninstall it themselves once installed (self-service, with an uninstall command). */
  uninstallable: boolean;
  machines: CatalogMachine[];
}

export interface Catalog {
  entries: CatalogEntry[];
  total: number;
  page: number;
  pageSize: number;
  /** The categories present in the user's catalog (whatever the search), for the filter. */
  categories: string[];
  /** Offers the user rejected (one per package and machine), hidden unless showRejected. */
  rejected: number;
  /** The user's machines (not retired): none means nothing can be offered yet. */
  machines: number;
  query: z.output<typeof catalogQuerySchema>;
}

/**
 * The offers to these machines, one row per (package, machine): active offer jobs not past their
 * deadline, of packages not deleted (package_id set null). Where two jobs offer the same package
 * to one machine, the offer furthest along counts (installed, then chosen, then offered, then
 * rejected, then tried), the newest job first.
 *
 * The machines come as an array of ids rather than a join on the owner: the planner then sizes
 * the user's share of assignments from the column's statistics and reads exactly those through
 * assignments_machine_id_idx. Joined on owner_id it guessed an average machine's share (34 rows
 * where there were 1,100) and read every assignment of the fleet instead (bench/catalog-explain.ts:
 * 172,000 rows scanned for 22,000 used, twice the time).
 */
function offersOf(machineIds: string[], now: Date) {
  return sql`
    select distinct on (j.package_id, a.machine_id)
           j.package_id, a.machine_id, a.id as assignment_id, j.id as job_id, a.state, a.run_now,
           j.allow_install_now, j.deadline, a.updated_at
    from assignments a
    join jobs j on j.id = a.job_id
    where a.machine_id = any(${pgArray(machineIds)}::uuid[])
      and j.kind = 'offer' and j.state = 'active' and j.package_id is not null
      and (j.deadline is null or j.deadline > ${now.toISOString()}::timestamptz)
      and a.state not in ('cancelled', 'expired', 'held')
    order by j.package_id, a.machine_id,
             case a.state when 'installed' then 0 when 'installing' then 1 when 'ready' then 2 when 'downloading' then 2 when 'pending' then 2
                          when 'offered' then 3 when 'declined' then 4 else 5 end,
             j.created_at desc`;
}

/** A package that has not expired. */
const live = (now: Date) => sql`(p.expires_at is null or p.expires_at > ${now.toISOString()}::timestamptz)`;

interface CatalogRow {
  entries: (Omit<CatalogEntry, 'machines'> & { machines: CatalogMachine[] | null })[];
  total: number;
  categories: string[];
  rejected: number;
}

/**
 * The catalog of the signed-in user: the packages offered to their own machines, grouped per
 * package with each machine's state, searched, filtered by category and paged; rejected offers
 * left out unless asked for. Two statements: the user's machines, then one that finds their
 * offers once (a materialized CTE) and takes the page, its total, the categories and the counts
 * the filters show from them. Measured with 20 machines and 1,000 offered packages among 172,000
 * assignments (bench/catalog-explain.ts): finding the offers is most of the cost, so it is done
 * once rather than once per answer.
 */
export async function listCatalog(db: Db, { actor, query = {}, now = new Date() }: { actor: Actor | null; query?: CatalogQuery; now?: Date }): Promise<Catalog> {
  const user = requirePermission(actor, 'portal.use');
  const q = parseInput(catalogQuerySchema, query, 'query');
  const mine = await db.select({ id: machines.id }).from(machines).where(and(eq(machines.ownerId, user.id), isNull(machines.retiredAt)));
  if (mine.length === 0) return { entries: [], total: 0, page: q.page, pageSize: q.pageSize, categories: [], rejected: 0, machines: 0, query: q };
  const pattern = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const result = await db.execute(sql`
    with offers as materialized (${offersOf(mine.map((m) => m.id), now)}),
    visible as (select * from offers where ${q.showRejected}::boolean or state <> 'declined'),
    per_package as (
      select o.package_id, p.category, count(*) filter (where o.state = 'declined') as declined, count(*) as offers
      from offers o join packages p on p.id = o.package_id
      where ${live(now)}
      group by o.package_id, p.category
    ),
    matched as materialized (
      select p.id, p.package_id, p.version, p.display_name, coalesce(p.manifest->>'publisher', '') as publisher, p.category, p.description, p.size,
             (p.self_service and p.manifest->'installer' ? 'uninstall') as uninstallable, p.created_at
      from packages p
      where p.id in (select package_id from visible) and ${live(now)}
        and (${pattern}::text is null or p.display_name ilike ${pattern} or p.package_id ilike ${pattern}
             or p.manifest->>'publisher' ilike ${pattern} or p.description ilike ${pattern})
        and (${q.category ?? null}::text is null or p.category = ${q.category ?? null})
    ),
    page as (
      select *, row_number() over (order by lower(display_name), package_id, created_at desc, id) as n
      from matched
      order by n
      limit ${q.pageSize} offset ${(q.page - 1) * q.pageSize}
    ),
    -- The latest uninstall of each package of the page on each of the user's machines: found from
    -- the packages' uninstall jobs (jobs_package_id_idx), never per entry.
    removals as (
      select distinct on (uj.package_id, ua.machine_id) uj.package_id, ua.machine_id, ua.state, ua.created_at
      from jobs uj join assignments ua on ua.job_id = uj.id
      where uj.kind = 'uninstall' and uj.package_id in (select id from page)
        and ua.machine_id in (select machine_id from visible)
      order by uj.package_id, ua.machine_id, ua.created_at desc
    ),
    entries as (
      select v.package_id,
             json_agg(json_build_object(
               'machineId', v.machine_id, 'hostname', m.hostname, 'assignmentId', v.assignment_id, 'jobId', v.job_id,
               'state', v.state, 'runNow', v.run_now, 'allowInstallNow', v.allow_install_now, 'expiresAt', v.deadline,
               'removal', case when v.state = 'installed' and r.created_at > v.updated_at then r.state end
             ) order by m.hostname, v.machine_id) as machines
      from visible v
      join machines m on m.id = v.machine_id
      left join removals r on r.package_id = v.package_id and r.machine_id = v.machine_id
      where v.package_id in (select id from page)
      group by v.package_id
    )
    select coalesce((select json_agg(json_build_object(
              'id', page.id, 'packageId', page.package_id, 'version', page.version, 'displayName', page.display_name, 'publisher', page.publisher,
              'category', page.category, 'description', page.description, 'size', page.size, 'uninstallable', page.uninstallable, 'machines', entries.machines
            ) order by page.n) from page left join entries on entries.package_id = page.id), '[]'::json) as entries,
           (select count(*) from matched)::int as total,
           -- The categories of the user's catalog whatever the search; with rejected offers hidden, of what shows.
           coalesce((select json_agg(distinct category) from per_package where category <> '' and (${q.showRejected}::boolean or declined < offers)), '[]'::json) as categories,
           (select coalesce(sum(declined), 0) from per_package)::int as rejected`);
  const [row] = rowsOf<CatalogRow>(result);
  return {
    entries: row.entries.map(({ machines, size, ...entry }) => ({
      ...entry,
      size: Number(size),
      // json_build_object writes timestamptz in PostgreSQL's own format; the API speaks ISO 8601.
      machines: (machines ?? []).map((m) => ({ ...m, expiresAt: m.expiresAt ? new Date(m.expiresAt).toISOString() : null })),
    })),
    total: Number(row.total),
    page: q.page,
    pageSize: q.pageSize,
    categories: [...row.categories].sort((a, b) => a.localeCompare(b)),
    rejected: Number(row.rejected),
    machines: mine.length,
    query: q,
  };
}
