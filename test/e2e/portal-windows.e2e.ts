import { createSecret } from '../helpers/agent';
import { demoAdmin, demoUser } from '../helpers/demo';
import { api, mustSignIn } from '../helpers/http';
import { baseUrl, expect, test } from './fixtures';
import { MyWindowsPage } from './pages/my-windows-page';

test('a user sets their machine’s windows within the group’s rules, sees why a window is refused beside it, and clears back to the defaults', async ({ userPage: page }) => {
  // Set-up through the API: the user's machine in Berlin, in a group that allows only 18:00-08:00.
  const admin = await mustSignIn(baseUrl(), demoAdmin.email, demoAdmin.password);
  const secret = await createSecret(baseUrl(), admin, 'e2e windows');
  const enrolled = await api<{ machineId: string; token: string }>(baseUrl(), '/api/agent/v1/enroll', { method: 'POST', json: { secret, hostname: 'e2e-berlin-laptop', timeZone: 'Europe/Berlin' } });
  expect(enrolled.status).toBe(201);
  const id = enrolled.body.machineId;
  const users = await api<{ users: { id: string; email: string }[] }>(baseUrl(), '/api/users', { session: admin });
  expect((await api(baseUrl(), `/api/machines/${id}/owner`, { method: 'PUT', session: admin, json: { ownerId: users.body.users.find((u) => u.email === demoUser.email)!.id } })).status).toBe(200);
  const group = await api<{ group: { id: string } }>(baseUrl(), '/api/groups', { method: 'POST', session: admin, json: { name: 'e2e-berlin-laptops' } });
  const gid = group.body.group.id;
  expect((await api(baseUrl(), `/api/groups/${gid}/members`, { method: 'POST', session: admin, json: { machineIds: [id] } })).status).toBe(200);
  const everyDay = (start: string, minutes: number) => [0, 1, 2, 3, 4, 5, 6].map((day) => ({ day, start, minutes }));
  expect((await api(baseUrl(), `/api/groups/${gid}/windows`, { method: 'PUT', session: admin, json: { windows: everyDay('20:00', 120) } })).status).toBe(200);
  expect((await api(baseUrl(), `/api/groups/${gid}/guardrails`, { method: 'PUT', session: admin, json: { selfService: false, windowEnvelope: everyDay('18:00', 840), minOpenMinutes: 600 } })).status).toBe(200);
  const plan = async () => (await (await fetch(`${baseUrl()}/api/agent/v1/plan`, { headers: { authorization: `Bearer ${enrolled.body.token}` } })).json()) as { windows: { day: number; start: string; minutes: number }[] };

  const windows = new MyWindowsPage(page);
  await windows.openFromOverview('e2e-berlin-laptop');
  await expect(page.getByText('Times are in its own time zone, Europe/Berlin')).toBeVisible();
  await expect(page.getByTestId('guardrails')).toContainText('Windows only every day 18:00–08:00');
  await expect(windows.openings()).toHaveCount(5);

  // A morning window: the rule shows as it is typed, and the server refuses it beside that row.
  const n = await windows.addWindow('09:00');
  await expect(page.getByTestId(`window-hint-${n - 1}`)).toContainText('outside the hours group e2e-berlin-laptops allows: every day 18:00–08:00');
  await windows.save();
  await expect(windows.row(n).getByRole('alert')).toContainText(`Window ${n} (Mon 09:00 for 4 h) runs Mon 09:00–13:00`);
  expect((await plan()).windows).toHaveLength(7);

  // Moved to the night, it fits; it runs past midnight.
  await windows.setStart(n, '23:00');
  await expect(windows.row(n)).toContainText('Until Tue 03:00 (next day)');
  await expect(page.getByTestId(`window-hint-${n - 1}`)).toHaveCount(0);
  await windows.save();
  await windows.expectSaved('Saved. The machine’s agent picks the new windows up on its next poll.');
  await expect(page.getByTestId('windows-now')).toContainText('Your own windows');
  expect((await plan()).windows).toContainEqual({ day: 1, start: '23:00', minutes: 240 });

  await windows.clear();
  await windows.expectSaved('Cleared: the machine follows your groups’ default windows again');
  await expect(page.getByTestId('windows-now')).toContainText('Your groups’ defaults');
  expect((await plan()).windows).toEqual(everyDay('20:00', 120));
});
