import type { IncomingMessage } from 'node:http';
import { AppError } from '@/lib/errors';

/** A JSON request body, capped in size; bad JSON names the body. */
export async function readJsonBody(req: IncomingMessage, maxBytes = 128 * 1024): Promise<unknown> {
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(req.headers['content-type'] ?? '')) {
    throw new AppError('bad_request', { field: 'body', message: 'body: expected Content-Type application/json' });
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError('payload_too_large', { field: 'body', message: `body: expected at most ${maxBytes / 1024} KiB of JSON` });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new AppError('bad_request', { field: 'body', message: 'body: expected valid JSON' });
  }
}
