'use server';

import { headers } from 'next/headers';
import { z } from 'zod';
import { getDb } from '@/db/client';
import { publicOrigin } from '@/lib/http/public-origin';
import { serverAction } from '@/lib/http/server-action';
import { createCalendarFeed } from '@/lib/portal/create-calendar-feed';
import { revokeCalendarFeed } from '@/lib/portal/revoke-calendar-feed';

// The button says which it is, so a stale page cannot replace a feed the user meant to create.
const createInput = z.object({ intent: z.enum(['create', 'replace'], { message: 'expected create or replace' }) });

export const createCalendarFeedAction = serverAction({ permission: 'portal.use', input: createInput, revalidate: ['/portal/calendar'] }, async ({ actor, input }) => {
  const { path, replaced } = await createCalendarFeed(getDb(), { actor, intent: input.intent });
  const url = `${publicOrigin(await headers())}${path}`;
  return { message: replaced ? 'New feed URL created; the old one no longer works. Copy it now: it is not shown again.' : 'Feed URL created. Copy it now: it is not shown again.', data: { url } };
});

export const revokeCalendarFeedAction = serverAction({ permission: 'portal.use', input: z.object({ intent: z.literal('revoke', { message: 'expected revoke' }) }), revalidate: ['/portal/calendar'] }, async ({ actor }) => {
  const revoked = await revokeCalendarFeed(getDb(), { actor });
  return revoked ? 'Feed turned off: its URL no longer works. Calendars subscribed to it stop updating.' : 'There was no feed to turn off.';
});
