import 'server-only';
import { fromHeaders } from './same-origin';
import { siteOrigin } from './site-origin';

/** The origin people reach this server at, for links (lib/http/site-origin.ts has the rule). */
export function publicOrigin(headers: Headers): string {
  return siteOrigin(fromHeaders(headers));
}
