import type { IncomingMessage } from 'node:http';
import { AppError } from '@/lib/errors';
import { assertJsonContentType, parseJsonBody, tooLarge } from '@/lib/http/json-body';

/** A JSON request body for the fast path's plain Node handlers, capped in size while it arrives. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 128 * 1024): Promise<unknown> {
  return parseJsonBody(await readBodyText(req, maxBytes));
}

/**
 * The report's body: installer output may hold NUL or lone surrogates, which the shared parser
 * refuses in any other body. Here they must pass, since applyReport replaces them visibly before
 * it validates the events: refusing the batch would leave the agent no way to report that install.
 */
export async function readReportBody(req: IncomingMessage, maxBytes: number): Promise<unknown> {
  const text = await readBodyText(req, maxBytes);
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('bad_request', { field: 'body', message: 'body: expected valid JSON' });
  }
}

async function readBodyText(req: IncomingMessage, maxBytes: number): Promise<string> {
  assertJsonContentType(req.headers['content-type']);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  // Invalid UTF-8 becomes U+FFFD here.
  return Buffer.concat(chunks).toString('utf8');
}
