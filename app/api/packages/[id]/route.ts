import { z } from 'zod';
import { getDb } from '@/db/client';
import { getProcessContentStore } from '@/lib/content/store';
import { jsonRoute } from '@/lib/http/json-route';
import { deletePackage } from '@/lib/packages/delete-package';
import { getPackage } from '@/lib/packages/get-package';
import { listPackageJobs } from '@/lib/packages/list-package-jobs';
import { updatePackage } from '@/lib/packages/update-package';

const params = z.object({ id: z.string() });

// `jobs`: the jobs using the package, newest first (at most PACKAGE_JOBS_SHOWN); `jobsTotal`: all of them.
export const GET = jsonRoute({ permission: 'admin.view', params }, async ({ actor, params }) => {
  const pkg = await getPackage(getDb(), { actor, id: params.id });
  const { jobs, total } = await listPackageJobs(getDb(), { actor, id: pkg.id });
  return { package: pkg, jobs, jobsTotal: total };
});

// Only description, category and selfService: a package is never renamed or moved.
export const PATCH = jsonRoute({ permission: 'deploy.manage', params, body: z.unknown() }, async ({ actor, params, body }) => ({
  package: await updatePackage(getDb(), { actor, id: params.id, input: body }),
}));

export const DELETE = jsonRoute({ permission: 'deploy.manage', params }, ({ actor, params }) =>
  deletePackage(getDb(), { actor, id: params.id, store: getProcessContentStore().store }),
);
