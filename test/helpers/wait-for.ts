/**
 * Waits until a condition holds, checking every 50 ms, and fails after `ms`. For effects another
 * process makes with no event to listen to (a server cleaning up after a cut connection); never
 * a fixed sleep.
 */
export async function waitFor(condition: () => boolean, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${ms} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 50));
  }
}

/** waitFor for conditions that need a request to check (a job's counts after a server-side sweep). */
export async function waitForAsync(condition: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition still false after ${ms} ms`);
    await new Promise<void>((resolve) => setTimeout(resolve, 100));
  }
}
