import http from 'node:http';
import https from 'node:https';
import { Readable } from 'node:stream';

/**
 * The part of `fetch` the agent uses, over node:http. Node's fetch loads undici and its WASM
 * HTTP parser (measured: +7 MB resident in an idle agent whose budget is 50 MB). Answers are
 * real `Response` objects, so the agent's code and its tests use the one fetch interface.
 */
export const nodeFetch = ((input: string | URL, init: RequestInit = {}): Promise<Response> => {
  const url = new URL(String(input));
  const client = url.protocol === 'https:' ? https : http;
  const headers = Object.fromEntries(new Headers(init.headers).entries());
  const body = typeof init.body === 'string' ? init.body : undefined;
  if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
  return new Promise<Response>((resolve, reject) => {
    const req = client.request(url, { method: init.method ?? 'GET', headers, signal: init.signal ?? undefined }, (res) => {
      const responseHeaders = new Headers();
      for (const [name, value] of Object.entries(res.headers)) {
        if (value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) responseHeaders.append(name, v);
      }
      const status = res.statusCode ?? 500;
      const noBody = status === 204 || status === 304 || init.method === 'HEAD';
      if (noBody) res.resume();
      resolve(new Response(noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>), { status, headers: responseHeaders }));
    });
    req.on('error', (error) => reject(new TypeError('fetch failed', { cause: error })));
    req.end(body);
  });
}) as typeof fetch;
