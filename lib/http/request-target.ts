import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError } from '@/lib/errors';
import { answerBeforeBody, JSON_TYPE } from './answer-before-body';
import { unstorableText } from './json-body';

/**
 * The request line's path and query string, checked once where every request enters (server.ts,
 * before the fast path and Next): a malformed percent-escape in the path (`/api/jobs/%`) made
 * Next's router and page params throw (500), and NUL in a query value (`?q=%00`) reached
 * PostgreSQL, which refuses it (500). Returns the refusal naming the part at fault, or null.
 */
export function checkRequestTarget(url: string): AppError | null {
  const q = url.indexOf('?');
  const pathname = q === -1 ? url : url.slice(0, q);
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return new AppError('bad_request', { field: 'path', message: 'path: has a malformed percent-escape (expected % followed by two hex digits of UTF-8)' });
  }
  const pathWhy = unstorableText(decoded);
  if (pathWhy) return new AppError('bad_request', { field: 'path', message: `path: ${pathWhy}` });
  if (q === -1) return null;
  // URLSearchParams is what Next and the routes read the query with: a malformed escape there is
  // kept as typed, only NUL and invalid Unicode can reach a query.
  for (const [key, value] of new URLSearchParams(url.slice(q + 1))) {
    const keyWhy = unstorableText(key);
    if (keyWhy) return new AppError('bad_request', { field: 'query', message: `query: a parameter name ${keyWhy}` });
    const why = unstorableText(value);
    const field = key || 'query';
    if (why) return new AppError('invalid_input', { field, message: `${field}: ${why}` });
  }
  return null;
}

/**
 * A multipart body needs a boundary to be read. Next parses any multipart POST as a possible
 * server action (API routes and pages alike) and its busboy threw on a missing boundary: a 500
 * and an uncaughtException in the log. Checked here so no parser ever sees such a request.
 */
export function checkMultipartType(contentType: string | undefined): AppError | null {
  if (!contentType || !/^\s*multipart\//i.test(contentType)) return null;
  // RFC 2046: 1 to 70 characters, quoted or a token.
  const boundary = /;\s*boundary=(?:"([^"]{1,70})"|([^\s;"]{1,70}))\s*(?:;|$)/i.exec(contentType);
  if (boundary) return null;
  return new AppError('bad_request', { field: 'content-type', message: 'content-type: expected multipart/form-data with a boundary of 1 to 70 characters' });
}

/**
 * Answers a request whose path or query cannot be read: JSON under /api (what API clients and
 * the agent parse), a short plain page elsewhere. Returns true when it answered.
 */
export function refuseBadRequestTarget(req: IncomingMessage, res: ServerResponse): boolean {
  const refusal = checkRequestTarget(req.url ?? '/') ?? checkMultipartType(req.headers['content-type']);
  if (!refusal) return false;
  answerRefusal(req, res, refusal);
  return true;
}

/**
 * A refusal before any route ran: JSON under /api (what API clients and the agent parse), a
 * short plain page elsewhere. Whatever body came with it is not read: the connection is closed
 * instead of reused.
 */
export function answerRefusal(req: IncomingMessage, res: ServerResponse, refusal: AppError): void {
  const api = /^\/api(\/|\?|$)/.test(req.url ?? '');
  const text = api
    ? JSON.stringify({ error: { code: refusal.code, message: refusal.message, field: refusal.field } })
    : `<!doctype html><title>Bad request</title><h1>Bad request</h1><p>${escapeHtml(refusal.message)}</p>\n`;
  answerBeforeBody(req, res, refusal.status, text, api ? JSON_TYPE : 'text/html; charset=utf-8');
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
