import type { IncomingMessage } from 'node:http';
import { assertJsonContentType, parseJsonBody, tooLarge, type JsonBodyOptions } from '@/lib/http/json-body';

/** A JSON request body for the fast path's plain Node handlers, capped in size while it arrives. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 128 * 1024, options: JsonBodyOptions = {}): Promise<unknown> {
  assertJsonContentType(req.headers['content-type']);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  return parseJsonBody(Buffer.concat(chunks).toString('utf8'), options);
}
