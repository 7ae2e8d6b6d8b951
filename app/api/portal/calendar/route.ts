import { getDb } from '@/db/client';
import { jsonRoute } from '@/lib/http/json-route';
import { publicOrigin } from '@/lib/http/public-origin';
import { createCalendarFeed } from '@/lib/portal/create-calendar-feed';
import { getCalendarFeedStatus } from '@/lib/portal/get-calendar-feed-status';
import { revokeCalendarFeed } from '@/lib/portal/revoke-calendar-feed';

export const GET = jsonRoute({ permission: 'portal.use' }, async ({ actor }) => ({ calendarFeed: await getCalendarFeedStatus(getDb(), { actor }) }));

// Creates the feed, or replaces it (the old URL stops working); the URL is in this answer only.
export const POST = jsonRoute({ permission: 'portal.use' }, async ({ actor, request }) => {
  const { path, replaced } = await createCalendarFeed(getDb(), { actor });
  return Response.json({ calendarFeed: { url: `${publicOrigin(request.headers)}${path}`, replaced } }, { status: 201 });
});

export const DELETE = jsonRoute({ permission: 'portal.use' }, async ({ actor }) => {
  await revokeCalendarFeed(getDb(), { actor });
});
