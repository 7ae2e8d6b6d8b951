import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { formToObject } from './form-to-object';

const form = (entries: [string, string][]) => {
  const data = new FormData();
  for (const [k, v] of entries) data.append(k, v);
  return data;
};

describe('formToObject', () => {
  it("lists repeated fields and drops React's own", () => {
    expect(formToObject(form([['name', 'a'], ['machineIds', '1'], ['machineIds', '2'], ['$ACTION_ID_x', '']]))).toEqual({ name: 'a', machineIds: ['1', '2'] });
  });

  it('refuses NUL naming the field, before it can reach the database', () => {
    for (const [entries, field] of [
      [[['name', 'lab\u0000']], 'name'],
      [[['machineIds', 'ok'], ['machineIds', 'a\u0000b']], 'machineIds.1'],
    ] as [[string, string][], string][]) {
      let error: unknown;
      try {
        formToObject(form(entries));
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).code).toBe('invalid_input');
      expect((error as AppError).message).toContain(field);
    }
  });
});
