import 'server-only';
import { NextResponse, type NextRequest } from 'next/server';
import type { z } from 'zod';
import { requirePermission, type Actor, type Permission } from '@/lib/auth/permissions';
import { logClientAbort, logUnexpected, parseInput, toErrorBody } from '@/lib/errors';
import { assertJsonContentType, assertStorableText, parseJsonBody, tooLarge } from './json-body';
import { assertSameSite } from './same-origin';
import { getActor } from './session';

type Schema = z.ZodType;
type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteOptions<P extends Schema | undefined, Q extends Schema | undefined, B extends Schema | undefined> {
  /** Checked before anything is read from the request: 401 without a session, 403 without the role. */
  permission: Permission;
  params?: P;
  query?: Q;
  body?: B;
}

export interface RouteContext<P, Q, B> {
  actor: Actor;
  params: P;
  query: Q;
  body: B;
  request: NextRequest;
}

const MAX_JSON_BYTES = 1024 * 1024;

/**
 * A JSON route handler: authenticate, parse (naming the field at fault), call one lib/ operation,
 * answer JSON. Errors become `{ error: { code, message, field? } }` with the status from STATUS;
 * an unexpected error is logged with an id and only the id reaches the client.
 */
export function jsonRoute<P extends Schema | undefined = undefined, Q extends Schema | undefined = undefined, B extends Schema | undefined = undefined>(
  options: RouteOptions<P, Q, B>,
  handler: (ctx: RouteContext<Out<P>, Out<Q>, Out<B>>) => Promise<unknown>,
) {
  return async (request: NextRequest, context: { params: Promise<Record<string, string | string[]>> }) => {
    try {
      const actor = requirePermission(await getActor(), options.permission);
      assertSameSite(request); // a cookie-authenticated change from another site: 403
      const params = options.params ? parseInput(options.params, await context.params, 'params') : undefined;
      const query = options.query ? parseInput(options.query, readQuery(request), 'query') : undefined;
      const body = options.body ? parseInput(options.body, await readJson(request), 'body') : undefined;
      const result = await handler({ actor, params, query, body, request } as RouteContext<Out<P>, Out<Q>, Out<B>>);
      if (result instanceof Response) return result;
      return result === undefined ? new NextResponse(null, { status: 204 }) : NextResponse.json(result);
    } catch (error) {
      // Next aborts the request's signal when the client hangs up: its state, not the error, says so.
      const { status, body } = toErrorBody(error, request.signal.aborted ? logClientAbort : logUnexpected);
      return NextResponse.json(body, { status });
    }
  };
}

function readQuery(request: NextRequest): Record<string, string> {
  const query = Object.fromEntries(request.nextUrl.searchParams);
  // server.ts refuses these for every request already; kept here so the rule holds for a route
  // whatever server runs it (NUL reaching PostgreSQL is a 500).
  assertStorableText(query, undefined, [], 'query');
  return query;
}

async function readJson(request: NextRequest): Promise<unknown> {
  assertJsonContentType(request.headers.get('content-type'));
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_JSON_BYTES) throw tooLarge(MAX_JSON_BYTES);
  return parseJsonBody(text);
}
