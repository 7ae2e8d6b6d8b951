/**
 * For tests only (never imported by the agent): a real HTTP server on 127.0.0.1 that stands in
 * for a relay or the managing server's content downloads, GET /api/agent/v1/content/<sha256>
 * with Range, and misbehaves on demand the ways a real one can.
 */
import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Misbehaviour {
  /** Answer this status (with a JSON error body) instead of the content. */
  status?: number;
  /** Accept the connection and never answer. */
  stallBeforeHeaders?: boolean;
  /**
   * Send the content up to this byte offset, then drop the connection a moment later (as a relay
   * killed mid-download does; at once, the client's stream would discard what it had not read yet).
   */
  cutAt?: number;
  /** Send the content up to this byte offset, then send nothing more (keep the connection open). */
  pauseAt?: number;
  /** Flip the bits of the byte at this offset. */
  corruptAt?: number;
  /** Answer 200 with the whole content even when asked for a range. */
  ignoreRange?: boolean;
}

export interface ContentRequest {
  sha256: string;
  range: string | null;
  authorization: string | null;
}

export interface ContentStandIn {
  /** The base URL (a relay's url); content is at <url>/api/agent/v1/content/<sha256>. */
  url: string;
  contentUrl(sha256: string): string;
  requests: ContentRequest[];
  /** How it answers from now on; {} serves correctly. */
  misbehave: Misbehaviour;
  close(): Promise<void>;
}

export const sha256Of = (bytes: Buffer) => crypto.createHash('sha256').update(bytes).digest('hex');

export async function startContentStandIn(contents: Buffer[], misbehave: Misbehaviour = {}): Promise<ContentStandIn> {
  const bySha = new Map(contents.map((c) => [sha256Of(c), c]));
  const requests: ContentRequest[] = [];
  const server = http.createServer((req, res) => {
    const sha256 = /\/api\/agent\/v1\/content\/([0-9a-f]{64})$/.exec(req.url ?? '')?.[1] ?? '';
    requests.push({ sha256, range: req.headers.range ?? null, authorization: req.headers.authorization ?? null });
    const m = standIn.misbehave;
    if (m.stallBeforeHeaders) return;
    const content = bySha.get(sha256);
    if (m.status || !content) {
      const status = m.status ?? 404;
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: status === 404 ? 'not_found' : 'error', message: `stand-in answered ${status}` } }));
      return;
    }
    const asked = m.ignoreRange ? null : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = asked ? Number(asked[1]) : 0;
    if (start >= content.length) {
      res.writeHead(416, { 'content-range': `bytes */${content.length}` }).end();
      return;
    }
    const bytes = Buffer.from(content.subarray(start));
    if (m.corruptAt !== undefined && m.corruptAt >= start) bytes[m.corruptAt - start] ^= 0xff;
    res.writeHead(asked ? 206 : 200, {
      'content-length': String(bytes.length),
      'content-type': 'application/octet-stream',
      ...(asked ? { 'content-range': `bytes ${start}-${content.length - 1}/${content.length}` } : {}),
    });
    const stopAt = m.cutAt ?? m.pauseAt;
    if (stopAt === undefined) return void res.end(bytes);
    res.write(bytes.subarray(0, Math.max(0, stopAt - start)), () => {
      if (m.cutAt !== undefined) setTimeout(() => res.socket?.destroy(), 200);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const standIn: ContentStandIn = {
    url,
    contentUrl: (sha256) => `${url}/api/agent/v1/content/${sha256}`,
    requests,
    misbehave,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return standIn;
}

/** A URL where nothing listens: connecting is refused at once. */
export async function closedPortUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
