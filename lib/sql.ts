/**
 * One array parameter (`= any($1::uuid[])`) instead of one parameter per value: drizzle expands
 * a JS array into a list of parameters, and PostgreSQL allows at most 65,535 of them. Only for
 * values already validated as UUIDs or enum members (no quoting is done).
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/** The rows of a raw `db.execute` result, which is shaped alike by pg and PGlite. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
