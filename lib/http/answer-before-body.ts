import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Answers a request refused before its body was read (a 413 on Content-Length, a bad manifest, a
 * cross-site form post, a bad request target). The whole answer goes out at once with
 * Connection: close, so the connection is never reused with half a body in it. Ending the
 * response is what makes Node close the socket, and closing with unread data makes the kernel send
 * a reset that can destroy the answer (or the client's write: EPIPE) before the client reads it;
 * so the end waits until the rest of the body has been discarded or 2 s have passed.
 */
export function answerBeforeBody(req: IncomingMessage, res: ServerResponse, status: number, text: string, contentType: string): void {
  res.writeHead(status, {
    'content-type': contentType,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    connection: 'close',
  });
  res.write(req.method === 'HEAD' ? '' : text);
  const finish = () => {
    if (!res.writableEnded) res.end();
  };
  if (req.readableEnded) {
    finish();
    return;
  }
  req.unpipe();
  req.once('end', finish);
  req.resume();
  setTimeout(finish, 2000).unref();
}

export const JSON_TYPE = 'application/json; charset=utf-8';
