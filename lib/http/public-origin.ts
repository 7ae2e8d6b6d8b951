import 'server-only';

/**
 * The origin people reach this server at, for links shown or sent elsewhere (a calendar feed's
 * URL): DEPOT_PUBLIC_URL (server.ts copies it to NEXTAUTH_URL), else the request's own host, as
 * next-auth does without one.
 */
export function publicOrigin(headers: Headers): string {
  const configured = process.env.NEXTAUTH_URL;
  if (configured) return new URL(configured).origin;
  return `${headers.get('x-forwarded-proto') ?? 'http'}://${headers.get('host') ?? 'localhost'}`;
}
