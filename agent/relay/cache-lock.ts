import fs from 'node:fs';
import path from 'node:path';
import { takePidLock } from '../shared/pid-lock';

export class CacheBusy extends Error {}

/**
 * One relay per cache directory: a second one would delete the first one's downloads in
 * progress at its start and evict behind its back.
 */
export function lockCacheDir(dir: string): () => void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
  const file = path.join(dir, 'relay.lock');
  return takePidLock(file, (owner) =>
    owner ? new CacheBusy(`another depot-relay (pid ${owner}) is using the cache ${dir}; stop it first or give this one another --cache`) : new CacheBusy(`could not take the lock ${file}`),
  );
}
