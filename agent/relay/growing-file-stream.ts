import fs from 'node:fs';
import { Readable } from 'node:stream';
import type { Download } from './download';

export const CHUNK = 64 * 1024;

/**
 * Reads bytes start..end (inclusive) of a download that is still arriving: what is on disk goes
 * out at once, and for the rest the stream waits on the download's next change. The last byte of
 * the range is held back until the whole content is verified, so no client ever completes a
 * response from a copy that turns out corrupt or cut: when the download fails the stream errors
 * and the response is destroyed short of its Content-Length.
 *
 * Memory stays at one chunk per reader (64 KiB): two hundred clients must fit a relay in 250 MB.
 */
export class GrowingFileStream extends Readable {
  private fd: number | null = null;
  private pos: number;
  /** A read in flight: the descriptor is closed only after it, never under it (the number could be reused). */
  private reading: Promise<unknown> | null = null;

  constructor(
    private readonly download: Download,
    start: number,
    private readonly end: number,
  ) {
    super({ highWaterMark: CHUNK });
    this.pos = start;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    // The download may have been renamed into blobs/ between the caller's check and this open.
    fs.open(this.download.tmpPath, 'r', (error, fd) => {
      if (!error) {
        this.fd = fd;
        return callback();
      }
      fs.open(this.download.finalPath, 'r', (again, finalFd) => {
        if (again) return callback(this.download.error ?? error);
        this.fd = finalFd;
        callback();
      });
    });
  }

  override _read(): void {
    void this.pump();
  }

  private async pump(): Promise<void> {
    for (;;) {
      const d = this.download;
      if (d.state === 'failed') return void this.destroy(d.error ?? new Error('the upstream fetch failed'));
      const verified = d.state === 'done';
      if (this.pos > this.end) {
        if (verified) return void this.push(null);
      } else {
        // Exclusive limit: everything written so far, except the range's last byte until verified.
        const limit = verified ? this.end + 1 : Math.min(d.written, this.end);
        if (this.pos < limit) {
          const length = Math.min(CHUNK, limit - this.pos);
          const buffer = Buffer.allocUnsafe(length);
          let bytesRead: number;
          try {
            const read = readAt(this.fd!, buffer, this.pos);
            this.reading = read.catch(() => undefined);
            bytesRead = await read;
          } catch (error) {
            return void this.destroy(error as Error);
          } finally {
            this.reading = null;
          }
          if (this.destroyed) return;
          if (bytesRead === 0) return void this.destroy(new Error('the cached file is shorter than its content'));
          this.pos += bytesRead;
          this.push(bytesRead === length ? buffer : buffer.subarray(0, bytesRead));
          return;
        }
      }
      await d.changed();
      if (this.destroyed) return;
    }
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const fd = this.fd;
    this.fd = null;
    if (fd === null) return callback(error);
    void (this.reading ?? Promise.resolve()).then(() => fs.close(fd, () => callback(error)));
  }
}

function readAt(fd: number, buffer: Buffer, position: number): Promise<number> {
  return new Promise((resolve, reject) => fs.read(fd, buffer, 0, buffer.length, position, (error, n) => (error ? reject(error) : resolve(n))));
}
