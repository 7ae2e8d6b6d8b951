'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { parseWindowsField } from '@/lib/http/form-fields';
import { serverAction } from '@/lib/http/server-action';
import { setMyWindows } from '@/lib/portal/set-my-windows';

// The editor sends its rows as one JSON field and the zone it showed them in; "Clear" adds clear=1.
const input = z.object({ id: z.string().min(1), windows: z.string({ message: 'expected the windows' }), timeZone: z.string({ message: 'expected the machine’s time zone' }), clear: z.string().optional() });

export const setMyWindowsAction = serverAction({ permission: 'portal.use', input, revalidate: ['/portal', '/portal/windows'] }, async ({ actor, input }) => {
  const windows = input.clear ? null : parseWindowsField(input.windows);
  const saved = await setMyWindows(getDb(), { actor, machineId: input.id, input: { windows, timeZone: input.timeZone } });
  // This page's preview and rules come from the server: refresh it.
  revalidatePath(`/portal/machines/${saved.id}/windows`);
  return saved.windows === null ? 'Cleared: the machine follows your groups’ default windows again (any time if they set none).' : 'Saved. The machine’s agent picks the new windows up on its next poll.';
});
