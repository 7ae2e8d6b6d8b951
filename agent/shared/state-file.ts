import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';

/**
 * Writes a small state file so that a crash leaves the old file or the new one, never half of
 * one: temp file (mode 0600: the agent's identity holds its token) → fsync → rename → fsync the
 * directory. The agent's and the relay's state files are all written this way.
 */
export function writeStateFile(file: string, content: string): void {
  const temp = `${file}.${process.pid}.tmp`;
  const fd = fs.openSync(temp, 'w', 0o600);
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temp, file);
  const dirFd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** The parsed file, or null when it is missing or damaged (a state file is only ever a cache of facts). */
export function readStateFile<T>(file: string, schema: z.ZodType<T>): T | null {
  try {
    const parsed = schema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
