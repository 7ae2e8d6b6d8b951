import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { jsonDepth, parseJsonBody, parseJsonText } from './json-body';
import { checkMultipartType, checkRequestTarget } from './request-target';

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, field: error.field, message: error.message };
    throw error;
  }
  return null;
};

describe('parseJsonBody', () => {
  it('measures nesting on the text, brackets inside strings not counted', () => {
    expect(jsonDepth('{"a":[1,{"b":"[[[{{{"}]}')).toBe(3);
    expect(jsonDepth('"\\"[["')).toBe(0);
  });

  it('refuses 64 levels before parsing, naming body', () => {
    expect(refusal(() => parseJsonBody('['.repeat(64) + ']'.repeat(64)))).toMatchObject({ status: 422, field: 'body' });
    expect(refusal(() => parseJsonBody('['.repeat(1_000_000)))).toMatchObject({ status: 422, field: 'body' });
    expect(parseJsonBody('['.repeat(32) + ']'.repeat(32))).toBeTruthy();
  });

  it('names the field holding NUL or a lone surrogate, and a key holding one', () => {
    expect(refusal(() => parseJsonBody('{"name":"a\\u0000"}'))).toEqual({ status: 422, field: 'name', message: 'name: must not contain NUL (U+0000)' });
    expect(refusal(() => parseJsonBody('{"a":[{"b":"\\ud800"}]}'))).toMatchObject({ status: 422, field: 'a.0.b' });
    expect(refusal(() => parseJsonBody('"\\udc00"'))).toMatchObject({ field: 'body' });
    expect(refusal(() => parseJsonBody('{"\\u0000":1}'))).toMatchObject({ status: 422, field: '\\u0000' });
    expect(parseJsonBody('{"name":"🙂"}')).toEqual({ name: '🙂' });
  });

  it('lets an operation take unstorable text in the fields it sanitizes itself', () => {
    const allowed = (field: string) => /^events\.\d+\.output$/.test(field);
    expect(parseJsonBody('{"events":[{"output":"a\\u0000"}]}', { rawTextAllowed: allowed })).toEqual({ events: [{ output: 'a\u0000' }] });
    expect(refusal(() => parseJsonBody('{"events":[{"state":"a\\u0000"}]}', { rawTextAllowed: allowed }))).toMatchObject({ field: 'events.0.state' });
  });

  it('names the whole it was given', () => {
    expect(refusal(() => parseJsonText('{', 'manifest'))).toMatchObject({ status: 400, field: 'manifest' });
  });
});

describe('checkRequestTarget', () => {
  it('refuses malformed escapes and NUL in the path, NUL in query values', () => {
    expect(checkRequestTarget('/api/jobs/%')).toMatchObject({ status: 400, field: 'path' });
    expect(checkRequestTarget('/jobs/%E0%A4')).toMatchObject({ status: 400, field: 'path' });
    expect(checkRequestTarget('/api/x%00')).toMatchObject({ status: 400, field: 'path' });
    expect(checkRequestTarget('/api/packages?q=%00')).toMatchObject({ status: 422, field: 'q' });
    expect(checkRequestTarget('/api/packages?=%00')).toMatchObject({ status: 422, field: 'query' });
    expect(checkRequestTarget('/api/packages?q=%&page=2')).toBeNull();
    expect(checkRequestTarget('/api/cabinets/caf%C3%A9?q=%F0%9F%99%82')).toBeNull();
  });

  it('refuses multipart without a usable boundary', () => {
    expect(checkMultipartType('multipart/form-data')).toMatchObject({ status: 400, field: 'content-type' });
    expect(checkMultipartType('multipart/form-data; boundary=')).toMatchObject({ field: 'content-type' });
    expect(checkMultipartType('multipart/form-data; boundary=----WebKitFormBoundaryAbC')).toBeNull();
    expect(checkMultipartType('multipart/form-data; boundary="a b"')).toBeNull();
    expect(checkMultipartType('application/json')).toBeNull();
  });
});
