import fs from 'node:fs';

/** Debian's Chromium, or CHROMIUM_PATH. Missing → a failure that says how to install it. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter((p): p is string => !!p);
  const found = candidates.find((p) => fs.existsSync(p));
  if (!found) {
    throw new Error(
      `No Chromium found (looked at ${candidates.join(', ')}). The browser tests need it: ` +
        `install it with "apt-get update && apt-get install -y chromium", or set CHROMIUM_PATH to a Chromium binary.`,
    );
  }
  return found;
}
