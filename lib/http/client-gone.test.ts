import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { logUnexpected } from '@/lib/errors';
import { clientGone } from './client-gone';

const req = (state: { aborted?: boolean; destroyed?: boolean; complete?: boolean }) =>
  ({ aborted: state.aborted ?? false, complete: state.complete ?? true, socket: { destroyed: state.destroyed ?? false } }) as unknown as IncomingMessage;
const res = (state: { closed?: boolean; writableFinished?: boolean } = {}) => ({ closed: state.closed ?? false, writableFinished: state.writableFinished ?? false }) as unknown as ServerResponse;

afterEach(() => vi.restoreAllMocks());

describe('clientGone', () => {
  it('is true when the client hung up: aborted, its socket closed mid-body, or the answer closed before it finished', () => {
    expect(clientGone(req({ aborted: true }), res())).toBe(true);
    expect(clientGone(req({ destroyed: true, complete: false }), res())).toBe(true);
    expect(clientGone(req({}), res({ closed: true, writableFinished: false }))).toBe(true);
  });

  it('is false while the client is there, whatever error the handler met', () => {
    expect(clientGone(req({}), res())).toBe(false);
    expect(clientGone(req({}), res({ closed: true, writableFinished: true }))).toBe(false);
  });
});

describe('logUnexpected', () => {
  it('logs a PostgreSQL socket reset (ECONNRESET) as an error: the code does not make it a client abort', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    logUnexpected('abcd1234', new Error('query failed', { cause: Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }) }));
    logUnexpected('abcd1235', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
    expect(error).toHaveBeenCalledTimes(2);
    expect(debug).not.toHaveBeenCalled();
  });
});
