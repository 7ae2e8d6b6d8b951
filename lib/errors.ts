import { z } from 'zod';

/**
 * One error type for the whole domain. Operations throw AppError; routes, server actions and the
 * agent API turn it into `{ error: { code, message, field? } }` with the status from STATUS.
 */
export type AppErrorCode =
  | 'bad_request'
  | 'invalid_input'
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'payload_too_large'
  | 'rate_limited'
  | 'internal'
  | 'unavailable';

// A code without a status does not compile.
export const STATUS: Record<AppErrorCode, number> = {
  bad_request: 400,
  invalid_input: 422,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
};

export interface AppErrorOptions {
  message?: string;
  /** The input field at fault, as a dotted path (`password`, `windows.2.start`). */
  field?: string;
  cause?: unknown;
}

const DEFAULT_MESSAGE: Record<AppErrorCode, string> = {
  bad_request: 'The request could not be read.',
  invalid_input: 'Some input is not valid.',
  unauthorized: 'Sign in to continue.',
  forbidden: 'You do not have permission to do this.',
  not_found: 'Not found.',
  conflict: 'This conflicts with the current state.',
  payload_too_large: 'The request is too large.',
  rate_limited: 'Too many requests; try again shortly.',
  internal: 'Something went wrong on the server.',
  unavailable: 'The service is unavailable; try again shortly.',
};

export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly field?: string;

  constructor(code: AppErrorCode, options: AppErrorOptions = {}) {
    super(options.message ?? DEFAULT_MESSAGE[code], { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.field = options.field;
  }

  get status(): number {
    return STATUS[this.code];
  }
}

export interface ErrorBody {
  error: { code: AppErrorCode; message: string; field?: string; id?: string };
}

/** The first zod issue as an AppError naming the field and what was expected. */
export function fromZodError(error: z.ZodError, whole?: string): AppError {
  const issue = error.issues[0];
  // An unknown key names itself; a problem with the input as a whole names the input (`body`).
  const keys = issue.code === 'unrecognized_keys' ? [issue.keys[0]] : [];
  const path = [...issue.path.map(String), ...keys].join('.');
  const field = path || whole;
  const message = field ? `${field}: ${describeIssue(issue)}` : describeIssue(issue);
  return new AppError('invalid_input', { message, field, cause: error });
}

function describeIssue(issue: z.core.$ZodIssue): string {
  if (issue.code === 'unrecognized_keys') return `is not a known field (expected only the documented fields)`;
  if (issue.code === 'invalid_type') {
    // zod 4 says "Invalid input: expected string, received number"; keep its expectation.
    const received = issue.message.match(/received (\w+)/)?.[1];
    if (received === 'undefined') return `is required (expected ${issue.expected})`;
    return `expected ${issue.expected}${received ? `, received ${received}` : ''}`;
  }
  return issue.message;
}

/**
 * Parse with a zod schema or throw an AppError that names the field; `whole` names the input
 * itself (`body`, `query`) for problems that are not about one field.
 */
export function parseInput<T extends z.ZodType>(schema: T, input: unknown, whole?: string): z.output<T> {
  const result = schema.safeParse(input);
  if (!result.success) throw fromZodError(result.error, whole);
  return result.data;
}

/** What a client may see of any error: AppErrors as they are, anything else as an id to quote. */
export function toErrorBody(error: unknown, log: (id: string, error: unknown) => void = logUnexpected): {
  status: number;
  body: ErrorBody;
} {
  if (error instanceof AppError) {
    const body: ErrorBody = { error: { code: error.code, message: error.message } };
    if (error.field) body.error.field = error.field;
    return { status: error.status, body };
  }
  const id = crypto.randomUUID().slice(0, 8);
  log(id, error);
  return {
    status: 500,
    body: { error: { code: 'internal', message: `Something went wrong on the server (error id ${id}).`, id } },
  };
}

export function logUnexpected(id: string, error: unknown): void {
  console.error(`[depot] unexpected error ${id}:`, redactForLog(error));
}

/**
 * A request the client hung up on is not a server fault: 1,000 aborted sockets gave 1,000 error
 * lines. One line each, and only when DEPOT_LOG_LEVEL=debug asks for them. The caller decides
 * from the request's state (lib/http/client-gone.ts), never from an error code: a reset socket
 * to PostgreSQL carries the same ECONNRESET as a client's.
 */
export function logClientAbort(id: string): void {
  if (process.env.DEPOT_LOG_LEVEL === 'debug') console.debug(`[depot] debug: request ${id} aborted by the client`);
}

/**
 * drizzle's query errors carry the statement's parameters in their message (password hashes,
 * emails); logs get the SQL text and the driver's cause, never the parameters.
 */
export function redactForLog(error: unknown): unknown {
  if (error && typeof error === 'object' && 'query' in error && 'params' in error) {
    const { query, cause } = error as { query: unknown; cause?: unknown };
    const inner = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause ?? '');
    return `query failed: ${String(query)}${inner ? ` (${inner})` : ''}`;
  }
  return error;
}
