import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Database } from '@/db/client';
import { ContentStore } from '@/lib/content/store';
import { handleFastPath } from './fast-path';

// The database is the one thing injected here: the handler under test is real, behind a real socket.
function fakeDatabase(ping: () => Promise<void>): Database {
  return { kind: 'postgres', location: 'test', ping, db: undefined as never, close: async () => {}, withLock: async () => undefined as never };
}

let server: http.Server | undefined;
afterEach(() => server?.close());

async function serve(database: Database): Promise<string> {
  server = http.createServer((req, res) => {
    void handleFastPath(req, res, { database, store: new ContentStore('/nonexistent'), maxPackageBytes: 1, version: 'test' }).then((handled) => {
      if (!handled) res.writeHead(299).end('next');
    });
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('health', () => {
  it('says the database is down with 503 when a query fails', async () => {
    const url = await serve(fakeDatabase(() => Promise.reject(new Error('connection refused'))));
    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ status: 'degraded', database: 'down', databaseKind: 'postgres', version: 'test' });
  });

  it('says it is down when the database does not answer within 2 s', async () => {
    const url = await serve(fakeDatabase(() => new Promise(() => {})));
    const res = await fetch(`${url}/api/health`);
    expect(res.status).toBe(503);
  });

  it('hands everything else to Next', async () => {
    const url = await serve(fakeDatabase(async () => {}));
    expect((await fetch(`${url}/dashboard`)).status).toBe(299);
    expect((await fetch(`${url}/api/users`)).status).toBe(299);
  });
});
