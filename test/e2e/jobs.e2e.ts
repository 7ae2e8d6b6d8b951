import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createSecret, enrollTestMachine } from '../helpers/agent';
import { demoAdmin } from '../helpers/demo';
import { depotAgent } from '../helpers/depot-pack';
import { api, mustSignIn } from '../helpers/http';
import { seedCabinet, uploadPackage } from '../helpers/seed';
import { baseUrl, expect, test } from './fixtures';

test('an admin sends an install job to a group; two real agents, one joining later, install it', async ({ adminPage: page }) => {
  test.setTimeout(120_000);
  // Set-up through the API: a package and two enrolled machines.
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  await seedCabinet(baseUrl(), admin, 'e2e-jobs');
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'depot-e2e-jobs-'));
  const log = path.join(work, 'runs.log');
  const uploaded = await uploadPackage(baseUrl(), admin, 'e2e-jobs', { packageId: 'e2e-hello', displayName: 'E2E Hello', version: '2.0', installer: { kind: 'script' } }, `#!/bin/sh\necho "installed on $(date)" >> "${log}"\necho hello\n`);
  expect(uploaded.status).toBe(201);
  const secret = await createSecret(baseUrl(), admin, 'e2e jobs');
  const first = await enrollTestMachine(baseUrl(), secret, 'e2e-first');
  const late = await enrollTestMachine(baseUrl(), secret, 'e2e-late');
  const runAgent = async (dir: string) => {
    const run = await depotAgent(['run', '--once'], { DEPOT_AGENT_DIR: dir });
    expect(run.status, run.stdout + run.stderr).toBe(0);
  };

  // A group with the first machine.
  await page.goto('/groups');
  await page.getByLabel('Name').fill('e2e-lab');
  await page.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { name: 'e2e-lab' })).toBeVisible();
  const groupUrl = page.url();
  const addForm = page.getByRole('form', { name: 'Add machines' });
  await addForm.getByLabel('e2e-first').check();
  await addForm.getByRole('button', { name: 'Add to group' }).click();
  await expect(page.getByRole('status')).toHaveText('1 machine(s) joined.');
  await expect(page.getByTestId('member-row-e2e-first')).toBeVisible();

  // The job, to the group, as soon as received.
  await page.goto('/jobs/new');
  await page.getByLabel('Package').selectOption({ label: 'E2E Hello 2.0 (e2e-jobs/e2e-hello, generation 1)' });
  await page.getByRole('group', { name: 'Groups' }).getByLabel('e2e-lab').check();
  await page.getByLabel('As soon as received').check();
  await page.getByLabel('Name (optional)').fill('E2E hello to the lab');
  // The preview says what would happen before anything is created.
  await page.getByRole('button', { name: 'Preview' }).click();
  const preview = page.getByRole('status', { name: 'Preview' });
  await expect(preview.getByTestId('preview-machines')).toHaveText('1');
  await expect(preview.getByTestId('preview-installed')).toHaveText('0');
  await page.getByRole('button', { name: 'Create job' }).click();
  await expect(page.getByRole('heading', { name: 'E2E hello to the lab' })).toBeVisible();
  const jobUrl = page.url();
  await expect(page.getByRole('progressbar', { name: '0 of 1 installed' })).toBeVisible();

  await runAgent(first.dir);
  await page.reload();
  await expect(page.getByRole('progressbar', { name: '1 of 1 installed' })).toBeVisible();
  // (The agent's inventory has renamed the machine to this host's real name by now.)
  await expect(page.getByRole('table', { name: 'Machines of this job' }).getByText('Installed')).toBeVisible();

  // The late joiner gets the job when it joins the group.
  await page.goto(groupUrl);
  await page.getByRole('form', { name: 'Add machines' }).getByLabel('e2e-late').check();
  await page.getByRole('button', { name: 'Add to group' }).click();
  await expect(page.getByRole('status')).toHaveText('1 machine(s) joined; 1 assignment(s) from the group’s jobs.');
  await runAgent(late.dir);
  await page.goto(jobUrl);
  await expect(page.getByRole('progressbar', { name: '2 of 2 installed' })).toBeVisible();
  expect(fs.readFileSync(log, 'utf8').trim().split('\n')).toHaveLength(2);

  // A finished job cannot be cancelled, and the page says why.
  await page.getByRole('button', { name: 'Cancel job' }).click();
  await expect(page.getByRole('form', { name: 'Cancel job' }).getByRole('alert')).toHaveText('This job has finished: every assignment is installed, failed, skipped, cancelled or expired. Nothing is left to cancel.');

  // The rows behind it, and the audit trail.
  const job = await api<{ counts: Record<string, number> }>(baseUrl(), `/api/jobs/${jobUrl.split('/').pop()}`, { session: admin });
  expect(job.body.counts).toEqual({ installed: 2 });
  await page.goto('/audit?q=e2e');
  for (const action of ['group.create', 'group.add_members', 'job.create']) await expect(page.getByText(action).first()).toBeVisible();
  fs.rmSync(work, { recursive: true, force: true });
  for (const m of [first, late]) fs.rmSync(m.dir, { recursive: true, force: true });
});
