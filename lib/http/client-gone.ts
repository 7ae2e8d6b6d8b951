import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * True when the client hung up before the exchange ended: the request was aborted, its socket
 * closed before the body was complete, or the response closed before it finished. Judged from the
 * request's state, not from an error's code: a database socket reset raises ECONNRESET too, and
 * that is a server fault to log, not a client gone.
 */
export function clientGone(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.aborted) return true;
  if (req.socket?.destroyed && !req.complete) return true;
  return res.closed && !res.writableFinished;
}
