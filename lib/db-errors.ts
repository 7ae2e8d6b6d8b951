/** True when a query failed on the named unique index (SQLSTATE 23505), on pg and PGlite alike. */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const { code, constraint: name } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505') return constraint === undefined || name === constraint;
  }
  return false;
}

/**
 * True when a query failed on the data itself (SQLSTATE class 22, data exception, or 23,
 * integrity constraint violation): sending the same data again fails again. Anything else (a lost
 * connection, a deadlock, a serialization failure) may pass on a retry. drizzle wraps the driver's
 * error, so the cause chain is walked; pg and PGlite both put the SQLSTATE in `code`.
 */
export function isDataError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { code } = e as { code?: unknown };
    if (typeof code === 'string' && /^2[23][0-9A-Z]{3}$/.test(code)) return true;
  }
  return false;
}
