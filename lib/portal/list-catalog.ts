import { sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/db/client';
import type { AssignmentState } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { parseInput } from '@/lib/errors';
import { rowsOf } from '@/lib/sql';

const YES = ['true', '1', 'on'];

export const catalogQuerySchema = z.object({
  /** Matches the name, package ID, publisher and description. */
  q: z.string().trim().max(200, 'expected at most 200 characters').optional(),
  category: z.string().trim().max(100, 'expected at most 100 characters').optional(),
  showRejected: z.enum([...YES, 'false', '0', 'off'], { message: 'expected true or false' }).optional().transform((v) => YES.includes(v ?? '')),
  page: z.coerce.number({ message: 'expected a page number' }).int('expected a page number').min(1, 'expected a page number from 1').default(1),
  pageSize: z.coerce.number({ message: 'expected a number' }).int('expected a whole number').min(1, 'expected 1 to 100').max(100, 'expected 1 to 100').default(20),
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
 * The signed-in user's offers, one row per (package, machine): active offer jobs not past their
 * deadline, to the user's machines that are not retired, of packages not deleted (package_id set
 * null). Where two jobs offer the same package to one machine, the offer furthest along counts
 * (installed, then chosen, then offered, then rejected, then tried), the newest job first.
 *
 * Set-based: from the owner's machines (machines_owner_id_idx) to their assignments
 * (assignments_machine_id_idx), then jobs and packages by primary key; no per-row query.
 */
function offersOf(userId: string, now: Date) {
  return sql`
    select distinct on (j.package_id, a.machine_id)
           j.package_id, a.machine_id, m.hostname, a.id as assignment_id, j.id as job_id, a.state, a.run_now,
           j.allow_install_now, j.deadline, a.updated_at
    from machines m
    join assignments a on a.machine_id = m.id
    join jobs j on j.id = a.job_id
    where m.owner_id = ${userId} and m.retired_at is null
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

interface EntryRow extends Omit<CatalogEntry, 'machines'> {
  total: number;
  machines: CatalogMachine[] | null;
}

/**
 * The catalog of the signed-in user: the packages offered to their own machines, grouped per
 * package with each machine's state, searched, filtered by category and paged; rejected offers
 * left out unless asked for. Two queries: the page (with its total), and the categories and
 * counts the filters show.
 */
export async function listCatalog(db: Db, { actor, query = {}, now = new Date() }: { actor: Actor | null; query?: CatalogQuery; now?: Date }): Promise<Catalog> {
  const user = requirePermission(actor, 'portal.use');
  const q = parseInput(catalogQuerySchema, query, 'query');
  const pattern = q.q ? `%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : null;
  const pageResult = db.execute(sql`
    with offers as (${offersOf(user.id, now)}),
    visible as (select * from offers where ${q.showRejected}::boolean or state <> 'declined'),
    page as (
      select p.id, p.package_id, p.version, p.display_name, coalesce(p.manifest->>'publisher', '') as publisher, p.category, p.description, p.size,
             (p.self_service and p.manifest->'installer' ? 'uninstall') as uninstallable, p.created_at,
             count(*) over () as total
      from packages p
      where p.id in (select package_id from visible) and ${live(now)}
        and (${pattern}::text is null or p.display_name ilike ${pattern} or p.package_id ilike ${pattern}
             or p.manifest->>'publisher' ilike ${pattern} or p.description ilike ${pattern})
        and (${q.category ?? null}::text is null or p.category = ${q.category ?? null})
      order by lower(p.display_name), p.package_id, p.created_at desc, p.id
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
               'machineId', v.machine_id, 'hostname', v.hostname, 'assignmentId', v.assignment_id, 'jobId', v.job_id,
               'state', v.state, 'runNow', v.run_now, 'allowInstallNow', v.allow_install_now, 'expiresAt', v.deadline,
               'removal', case when v.state = 'installed' and r.created_at > v.updated_at then r.state end
             ) order by v.hostname, v.machine_id) as machines
      from visible v
      left join removals r on r.package_id = v.package_id and r.machine_id = v.machine_id
      where v.package_id in (select id from page)
      group by v.package_id
    )
    select page.id, page.package_id as "packageId", page.version, page.display_name as "displayName", page.publisher, page.category,
           page.description, page.size, page.uninstallable, page.total::int as total, entries.machines
    from page left join entries on entries.package_id = page.id
    order by lower(page.display_name), page.package_id, page.created_at desc, page.id`);
  // What the filters show: categories of the user's catalog, how many rejected offers are hidden, and whether they have machines.
  const factsResult = db.execute(sql`
    with offers as (${offersOf(user.id, now)}),
    per_package as (
      select o.package_id, p.category, count(*) filter (where o.state = 'declined') as declined, count(*) as offers
      from offers o join packages p on p.id = o.package_id
      where ${live(now)}
      group by o.package_id, p.category
    )
    select coalesce((select json_agg(distinct category) from per_package where category <> '' and (${q.showRejected}::boolean or declined < offers)), '[]'::json) as categories,
           (select coalesce(sum(declined), 0) from per_package)::int as rejected,
           (select count(*) from machines where owner_id = ${user.id} and retired_at is null)::int as machines`);
  const [pageRows, [facts]] = await Promise.all([pageResult.then((r) => rowsOf<EntryRow>(r)), factsResult.then((r) => rowsOf<{ categories: string[]; rejected: number; machines: number }>(r))]);
  return {
    entries: pageRows.map(({ total: _total, machines, size, ...entry }) => ({
      ...entry,
      size: Number(size),
      // json_build_object writes timestamptz in PostgreSQL's own format; the API speaks ISO 8601.
      machines: (machines ?? []).map((m) => ({ ...m, expiresAt: m.expiresAt ? new Date(m.expiresAt).toISOString() : null })),
    })),
    total: pageRows[0]?.total ?? 0,
    page: q.page,
    pageSize: q.pageSize,
    categories: [...facts.categories].sort((a, b) => a.localeCompare(b)),
    rejected: Number(facts.rejected),
    machines: Number(facts.machines),
    query: q,
  };
}
