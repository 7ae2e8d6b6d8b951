'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { parseWindowsField } from '@/lib/http/form-fields';
import { serverAction } from '@/lib/http/server-action';
import { setMachineWindows } from '@/lib/machines/set-machine-windows';

// The editor sends its rows as one JSON field; setMachineWindows validates them (naming the row).
const input = z.object({ id: z.string().min(1), windows: z.string({ message: 'expected the windows' }) });

export const setMachineWindowsAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/machines'] }, async ({ actor, input }) => {
  const windows = parseWindowsField(input.windows);
  await setMachineWindows(getDb(), { actor, machineId: input.id, input: { windows } });
  return windows === null ? 'Windows cleared: the machine follows its groups’ defaults, else installs any time.' : 'Installation windows saved. The agent picks them up on its next poll.';
});
