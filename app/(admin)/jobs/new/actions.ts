'use server';

import { redirect } from 'next/navigation';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { checkedValues } from '@/lib/http/form-fields';
import { serverAction } from '@/lib/http/server-action';
import { createJob } from '@/lib/jobs/create-job';
import { previewJob } from '@/lib/jobs/preview-job';

// datetime-local gives "2027-01-05T22:00" (the form says UTC); empty means not set.
const utc = z.string().optional().transform((v) => (v ? `${v}${v.length === 16 ? ':00' : ''}Z` : undefined));

const input = z.object({
  name: z.string().optional().transform((v) => v?.trim() || undefined),
  kind: z.string(),
  packageId: z.string().optional().transform((v) => v || undefined),
  machineIds: checkedValues,
  groupIds: checkedValues,
  timing: z.string(),
  startAt: utc,
  notBefore: utc,
  deadline: utc,
  loadSpreading: z.string().optional().transform((v) => v === 'on'),
  // Empty means no cap; anything else goes to the operation, which names what is wrong with it.
  maxConcurrent: z.string().optional().transform((v) => (v?.trim() ? Number(v) : undefined)),
  // Shown only for install jobs; empty means no deferral.
  deferralLimit: z.string().optional().transform((v) => (v?.trim() ? Number(v) : undefined)),
  allowInstallNow: z.string().optional().transform((v) => v === 'on'),
});

export const createJobAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/jobs'] }, async ({ actor, input }) => {
  const { job } = await createJob(getDb(), { actor, input });
  redirect(`/jobs/${job.id}`);
});

export const previewJobAction = serverAction({ permission: 'deploy.manage', input }, async ({ actor, input }) => {
  const preview = await previewJob(getDb(), { actor, input });
  // Action results carry strings; the form parses it back.
  return { message: '', data: { preview: JSON.stringify(preview) } };
});
