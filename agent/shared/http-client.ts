/**
 * A small JSON client for depot-pack (and later the agent and relay): one place that turns
 * server answers into messages people can act on. Never imports server code.
 */
export class ServerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'ServerError';
  }
}

export interface ClientOptions {
  server: string;
  token: string;
  fetch?: typeof fetch;
}

export async function requestJson<T>(options: ClientOptions, method: string, path: string, body?: unknown): Promise<T> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(new URL(path, options.server), {
      method,
      headers: { authorization: `Bearer ${options.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error(`cannot reach ${options.server}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  return readAnswer<T>(res.status, await res.text());
}

export function readAnswer<T>(status: number, text: string): T {
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (status >= 200 && status < 300) return parsed as T;
  const error = (parsed as { error?: { code?: string; message?: string; field?: string } } | undefined)?.error;
  if (status === 401) throw new ServerError(status, 'unauthorized', 'the server refused the token (401): it is wrong, expired or revoked; create a new one on the Tokens page');
  if (status === 403) throw new ServerError(status, 'forbidden', `the token's role may not do this (403)${error?.message ? `: ${error.message}` : ''}`);
  throw new ServerError(status, error?.code ?? 'error', error?.message ?? `the server answered ${status}`, error?.field);
}
