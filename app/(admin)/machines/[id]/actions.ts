'use server';

import { z } from 'zod';
import { getDb } from '@/db/client';
import { AppError } from '@/lib/errors';
import { serverAction } from '@/lib/http/server-action';
import { setMachineWindows } from '@/lib/machines/set-machine-windows';

// The editor sends its rows as one JSON field; setMachineWindows validates them (naming the row).
const input = z.object({ machineId: z.string().min(1), windows: z.string({ message: 'expected the windows' }) });

export const setMachineWindowsAction = serverAction({ permission: 'deploy.manage', input, revalidate: ['/machines'] }, async ({ actor, input }) => {
  let windows: unknown;
  try {
    windows = JSON.parse(input.windows);
  } catch {
    throw new AppError('invalid_input', { field: 'windows', message: 'windows: expected a list of windows' });
  }
  await setMachineWindows(getDb(), { actor, machineId: input.machineId, input: { windows: windows as never } });
  return windows === null ? 'Windows cleared: the machine follows its groups’ defaults, else installs any time.' : 'Installation windows saved. The agent picks them up on its next poll.';
});
