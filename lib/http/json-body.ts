import { AppError } from '@/lib/errors';
import { formatBytes } from '@/lib/format-bytes';

/**
 * The rules for a JSON request body, shared by Next's route handlers and the fast path's plain
 * Node handlers: the content type, a size cap, and valid JSON, each refusal naming `body`.
 */
export function assertJsonContentType(contentType: string | null | undefined): void {
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(contentType ?? '')) {
    throw new AppError('bad_request', { field: 'body', message: 'body: expected Content-Type application/json' });
  }
}

export function tooLarge(maxBytes: number): AppError {
  return new AppError('payload_too_large', { field: 'body', message: `body: expected at most ${formatBytes(maxBytes)} of JSON` });
}

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError('bad_request', { field: 'body', message: 'body: expected valid JSON' });
  }
}
