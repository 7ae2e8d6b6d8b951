import type { NextRequest } from 'next/server';
import { getDb } from '@/db/client';
import { AppError } from '@/lib/errors';
import { publicOrigin } from '@/lib/http/public-origin';
import { getCalendarFeed } from '@/lib/portal/get-calendar-feed';

// Keep the token out of caches, logs of other sites (Referer) and search engines.
const PRIVATE = { 'cache-control': 'private, no-store', 'referrer-policy': 'no-referrer', 'x-robots-tag': 'noindex' };

/**
 * GET /calendar/<token>.ics: the user's private calendar feed. Public on purpose (calendar apps
 * send no session cookie): the token in the path is the credential, checked by getCalendarFeed.
 * Anything wrong is the same bare 404, so the answer tells nothing about which tokens exist.
 */
export async function GET(request: NextRequest, context: { params: Promise<{ file: string }> }) {
  const { file } = await context.params;
  try {
    const body = await getCalendarFeed(getDb(), { fileName: file, origin: publicOrigin(request.headers) });
    return new Response(body, { headers: { ...PRIVATE, 'content-type': 'text/calendar; charset=utf-8', 'content-disposition': 'inline; filename="depot.ics"' } });
  } catch (error) {
    if (error instanceof AppError && error.code === 'not_found') return new Response('Not found.\n', { status: 404, headers: { ...PRIVATE, 'content-type': 'text/plain; charset=utf-8' } });
    console.error('[depot] calendar feed failed:', error);
    return new Response('Something went wrong on the server.\n', { status: 500, headers: { ...PRIVATE, 'content-type': 'text/plain; charset=utf-8' } });
  }
}
