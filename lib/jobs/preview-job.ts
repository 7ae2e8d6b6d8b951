import { sql } from 'drizzle-orm';
import type { Db } from '@/db/client';
import { assignments, groupMembers, jobs, machineGroups, machines, packages } from '@/db/schema';
import { requirePermission, type Actor } from '@/lib/auth/permissions';
import { architectureName, platformName, unmetHardwareCondition, type HardwareFacts } from '@/lib/contract/conditions';
import type { InstallationWindow } from '@/lib/contract/installation-window';
import type { Inventory } from '@/lib/contract/agent-api';
import { effectiveWindows } from '@/lib/machines/get-plan';
import { storedInventory } from '@/lib/machines/stored-inventory';
import { installTime } from '@/lib/schedule/install-time';
import { pgArray, rowsOf } from '@/lib/sql';
import { resolveJobInput } from './resolve-job-input';

export interface JobPreview {
  machines: number;
  /** Machines where Depot last installed this package ID and version and has not removed it since. */
  alreadyInstalled: number;
  /** Machines whose last inventory fails the package's platform, architecture, memory or disk conditions. */
  failConditions: number;
  /** Up to five of them, with the reason, so the admin can judge. */
  failExamples: { hostname: string; reason: string }[];
  /** Machines that have not reported inventory yet: their conditions are checked on the machine. */
  noInventory: number;
  /** When the first and the last destination would start, by their windows, time zones and the job's timing. */
  firstStart: string | null;
  lastStart: string | null;
}

interface Destination {
  id: string;
  hostname: string;
  time_zone: string;
  windows: InstallationWindow[] | null;
  facts: unknown;
  group_windows: InstallationWindow[][] | null;
  blackout_dates: string[][] | null;
  installed: boolean;
}

/**
 * What creating this job would do, without doing it: the same validation as createJob (so the
 * preview fails exactly where creating would), then per destination whether Depot already
 * installed the package there, whether its last inventory fails the package's conditions, and
 * when it would start. Read-only; one query for the destinations.
 */
export async function previewJob(db: Db, { actor, input, now = new Date() }: { actor: Actor | null; input: unknown; now?: Date }): Promise<JobPreview> {
  requirePermission(actor, 'deploy.manage');
  return db.transaction(async (tx) => {
    const { data, pkg, machineIds, groupIds } = await resolveJobInput(tx, input, now);
    // "Already installed": the latest finished install/offer/uninstall of the same package ID and
    // version on the machine was an install, so an uninstall since then counts as not installed.
    const result = await tx.execute(sql`
      with dest as (
        select m.id, m.hostname, m.time_zone, m.windows, m.facts
        from ${machines} m
        where m.retired_at is null
          and (m.id = any(${pgArray(machineIds)}::uuid[])
               or m.id in (select machine_id from ${groupMembers} where group_id = any(${pgArray(groupIds)}::uuid[])))
      )
      select d.id, d.hostname, d.time_zone, d.windows, d.facts,
             (select json_agg(g.windows order by g.name) from ${groupMembers} gm join ${machineGroups} g on g.id = gm.group_id
               where gm.machine_id = d.id and g.windows is not null) as group_windows,
             (select json_agg(g.blackout_dates) from ${groupMembers} gm join ${machineGroups} g on g.id = gm.group_id
               where gm.machine_id = d.id and g.blackout_dates <> '[]'::jsonb) as blackout_dates,
             coalesce((select j.kind <> 'uninstall' from ${assignments} a
                        join ${jobs} j on j.id = a.job_id
                        join ${packages} p on p.id = j.package_id
                       where a.machine_id = d.id and a.state = 'installed'
                         and p.cabinet_id = ${pkg?.cabinetId ?? null}::uuid and p.package_id = ${pkg?.packageId ?? null}::text and p.version = ${pkg?.version ?? null}::text
                       order by a.updated_at desc limit 1), false) as installed
      from dest d`);
    const rows = rowsOf<Destination>(result);
    const preview: JobPreview = { machines: rows.length, alreadyInstalled: 0, failConditions: 0, failExamples: [], noInventory: 0, firstStart: null, lastStart: null };
    const timing = { kind: data.kind === 'offer' ? ('install' as const) : data.kind, timing: data.timing, startAt: data.startAt ?? null, notBefore: data.notBefore ?? null, deadline: data.kind === 'offer' ? null : (data.deadline ?? null), loadSpreading: false };
    // Most machines share a zone and windows: compute each combination once.
    const starts = new Map<string, number>();
    let first = Infinity;
    let last = -Infinity;
    for (const row of rows) {
      if (pkg && data.kind !== 'uninstall') {
        if (row.installed) preview.alreadyInstalled++;
        const facts = storedInventory(row.facts);
        if (!facts) preview.noInventory++;
        else {
          const reason = unmetHardwareCondition(pkg.manifest.conditions, hardwareFacts(facts));
          if (reason) {
            preview.failConditions++;
            if (preview.failExamples.length < 5) preview.failExamples.push({ hostname: row.hostname, reason });
          }
        }
      }
      const windows = effectiveWindows(row.windows, row.group_windows ?? []);
      const blackoutDates = [...new Set((row.blackout_dates ?? []).flat())].sort();
      const key = `${row.time_zone}|${JSON.stringify(windows)}|${blackoutDates.join()}`;
      let at = starts.get(key);
      if (at === undefined) {
        at = installTime(timing, windows, row.time_zone, now, 0, { blackoutDates }).getTime();
        starts.set(key, at);
      }
      first = Math.min(first, at);
      last = Math.max(last, at);
    }
    if (rows.length) {
      preview.firstStart = new Date(first).toISOString();
      preview.lastStart = new Date(last).toISOString();
    }
    return preview;
  });
}


/** The hardware facts of a machine's last inventory; a path's disk is the longest mount above it. */
function hardwareFacts(inv: Inventory): HardwareFacts {
  return {
    platform: platformName(inv.os.platform),
    arch: architectureName(inv.os.arch),
    totalMemoryBytes: inv.memory.totalBytes,
    freeDiskBytes(path) {
      const disk = inv.disks.filter((d) => path === d.mount || path.startsWith(d.mount.endsWith('/') ? d.mount : `${d.mount}/`)).sort((a, b) => b.mount.length - a.mount.length)[0];
      // No reported disk holds the path: unknown here, so the agent decides on the machine.
      return disk ? disk.freeBytes : Number.POSITIVE_INFINITY;
    },
  };
}
