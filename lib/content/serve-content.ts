import fs from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { parseRange } from '@/lib/contract/byte-range';
import { AppError } from '@/lib/errors';

export interface ServeContentOptions {
  path: string;
  sha256: string;
  size: number;
  /** For Content-Disposition on downloads a person asked for. */
  fileName?: string;
}

/**
 * Streams stored content with a strong ETag (its SHA-256, so it never changes), If-None-Match
 * (304) and a single byte Range (206; 416 when unsatisfiable). Several ranges are not needed by
 * agents or relays and are answered with the whole file, as RFC 9110 allows.
 */
export async function serveContent(req: IncomingMessage, res: ServerResponse, options: ServeContentOptions): Promise<void> {
  const etag = `"${options.sha256}"`;
  const headers: Record<string, string | number> = {
    etag,
    'accept-ranges': 'bytes',
    'cache-control': 'private, max-age=31536000, immutable',
    'content-type': 'application/octet-stream',
    'x-content-sha256': options.sha256,
  };
  if (options.fileName) headers['content-disposition'] = `attachment; filename="${options.fileName.replace(/[^\w.+-]/g, '_')}"`;

  // If-None-Match uses weak comparison: W/"x" matches "x".
  if (req.headers['if-none-match']?.split(',').some((t) => t.trim().replace(/^W\//, '') === etag || t.trim() === '*')) {
    res.writeHead(304, headers).end();
    return;
  }
  const ifRange = req.headers['if-range'];
  const range = parseRange(req.headers.range, options.size, typeof ifRange === 'string' ? ifRange : undefined, etag);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { ...headers, 'content-range': `bytes */${options.size}` }).end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: options.size - 1 };
  let file: fs.ReadStream;
  try {
    await fs.promises.access(options.path, fs.constants.R_OK);
    file = fs.createReadStream(options.path, { start, end, highWaterMark: 1024 * 1024 });
  } catch {
    throw new AppError('not_found', { message: 'The content of this package is missing from the store.' });
  }
  res.writeHead(range ? 206 : 200, {
    ...headers,
    'content-length': end - start + 1,
    ...(range ? { 'content-range': `bytes ${start}-${end}/${options.size}` } : {}),
  });
  if (req.method === 'HEAD') {
    file.destroy();
    res.end();
    return;
  }
  await pipeline(file, res).catch(() => {
    // The client went away mid-download; nothing to answer.
  });
}
