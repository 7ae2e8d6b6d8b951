import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError, parseInput, redactForLog, STATUS, toErrorBody } from './errors';

const schema = z.object({ email: z.string(), windows: z.array(z.object({ start: z.string().regex(/^\d\d:\d\d$/, 'expected HH:MM') })) }).strict();

function caught(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('parseInput', () => {
  it('names a missing field and what was expected', () => {
    const error = caught(() => parseInput(schema, { windows: [] }, 'body'));
    expect(error.code).toBe('invalid_input');
    expect(error.status).toBe(422);
    expect(error.field).toBe('email');
    expect(error.message).toBe('email: is required (expected string)');
  });

  it('names a wrong type with what it received', () => {
    expect(caught(() => parseInput(schema, { email: 5, windows: [] })).message).toBe('email: expected string, received number');
  });

  it('names nested fields by their path', () => {
    const error = caught(() => parseInput(schema, { email: 'a', windows: [{ start: '25' }] }));
    expect(error.field).toBe('windows.0.start');
    expect(error.message).toBe('windows.0.start: expected HH:MM');
  });

  it('names an unknown field', () => {
    expect(caught(() => parseInput(schema, { email: 'a', windows: [], admin: true })).field).toBe('admin');
  });

  it('names the whole input when it is not an object', () => {
    const error = caught(() => parseInput(schema, [1, 2], 'body'));
    expect(error.field).toBe('body');
    expect(error.message).toMatch(/^body: expected object, received array/);
  });
});

describe('toErrorBody', () => {
  it('passes AppErrors through with their status', () => {
    expect(toErrorBody(new AppError('conflict', { message: 'taken', field: 'email' }))).toEqual({
      status: 409,
      body: { error: { code: 'conflict', message: 'taken', field: 'email' } },
    });
  });

  it('hides unexpected errors behind an id that is logged', () => {
    const logged: string[] = [];
    const { status, body } = toErrorBody(new Error('relation "users" does not exist at /srv/x.ts:12'), (id) => logged.push(id));
    expect(status).toBe(500);
    expect(body.error.code).toBe('internal');
    expect(body.error.message).not.toContain('relation');
    expect(body.error.message).toContain(logged[0]);
    expect(body.error.id).toBe(logged[0]);
  });

  it('never logs query parameters (drizzle puts them in its messages)', () => {
    const queryError = Object.assign(new Error('Failed query: insert into users ... params: ana@x,$argon2id$v=19$secret'), {
      query: 'insert into "users" ("email", "password_hash") values ($1, $2)',
      params: ['ana@x', '$argon2id$v=19$secret'],
      cause: new Error('connection terminated'),
    });
    const logged = String(redactForLog(queryError));
    expect(logged).toContain('insert into "users"');
    expect(logged).toContain('connection terminated');
    expect(logged).not.toContain('argon2id');
  });

  it('has a status for every code', () => {
    for (const status of Object.values(STATUS)) expect(status).toBeGreaterThanOrEqual(400);
  });
});
