import http, { type IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { AppError } from '@/lib/errors';
import { formatBytes } from '@/lib/format-bytes';

/** Next's own limit for a server action's body (serverActions.bodySizeLimit, 1 MB by default). */
export const MAX_MULTIPART_POST_BYTES = 1024 * 1024;

/**
 * Next parses every multipart POST to a page as a possible server action, and a body that is not
 * valid multipart (cut off, another boundary) made it throw: a 500 for a broken form post. The
 * request is read here (bounded), parsed once, and either refused (400 naming `body`) or handed
 * on as a fresh request carrying the same bytes. Only requests the fast path did not take (pages,
 * server actions, Next's route handlers) come here; package uploads stream in the fast path.
 */
export async function readMultipartPost(req: IncomingMessage, maxBytes = MAX_MULTIPART_POST_BYTES): Promise<IncomingMessage> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError('payload_too_large', { field: 'body', message: `body: expected at most ${formatBytes(maxBytes)} of form data` });
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  await assertValidMultipart(req.headers, body);
  return replay(req, body);
}

function assertValidMultipart(headers: http.IncomingHttpHeaders, body: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const refuse = (cause: unknown) => reject(new AppError('bad_request', { field: 'body', message: 'body: is not valid multipart/form-data (cut off, or parts not framed by the declared boundary)', cause }));
    let parser: busboy.Busboy;
    try {
      parser = busboy({ headers });
    } catch (error) {
      return refuse(error);
    }
    let parts = 0;
    parser.on('field', () => parts++);
    parser.on('file', (_name, stream) => {
      parts++;
      stream.resume();
    });
    parser.on('error', refuse);
    // A body without a single part framed by the boundary is not form data either (busboy
    // accepts it as an empty form; the web Request parser Next uses refuses it).
    parser.on('close', () => (parts > 0 ? resolve() : refuse(new Error('no parts'))));
    parser.end(body);
  });
}

/** A request with the same line, headers and socket whose body is `body`, for Next to read. */
function replay(req: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = new http.IncomingMessage(req.socket);
  copy.method = req.method;
  copy.url = req.url;
  copy.headers = req.headers;
  copy.rawHeaders = req.rawHeaders;
  copy.httpVersion = req.httpVersion;
  copy.httpVersionMajor = req.httpVersionMajor;
  copy.httpVersionMinor = req.httpVersionMinor;
  copy.push(body);
  copy.push(null);
  copy.complete = true;
  return copy;
}
