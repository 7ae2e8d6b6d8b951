import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { PackageManifestInput } from '../../lib/contract/package-manifest';
import { readAnswer, requestJson, type ClientOptions } from '../shared/http-client';
import { Progress } from './progress';

export interface RegisteredPackage {
  id: string;
  cabinet: string;
  packageId: string;
  version: string;
  generation: number;
  sha256: string;
  size: number;
}

export interface UploadOptions extends ClientOptions {
  cabinet: string;
  manifest: PackageManifestInput;
  file: string;
  progress?: boolean;
}

/**
 * Registers a package: asks the server to check the manifest first (so a typo is reported
 * before a gigabyte is sent), then streams manifest + file as multipart, hashing the file as it
 * goes and sending that SHA-256 after it, so the server refuses content that changed on the way.
 * The file is read once and never held in memory.
 */
export async function uploadPackage(options: UploadOptions): Promise<RegisteredPackage> {
  const cabinetPath = `/api/cabinets/${encodeURIComponent(options.cabinet)}/packages`;
  await requestJson(options, 'POST', `${cabinetPath}/check`, options.manifest);

  const stat = await fs.promises.stat(options.file);
  if (!stat.isFile()) throw new Error(`${options.file} is not a file`);
  const boundary = `----depot-pack-${crypto.randomBytes(12).toString('hex')}`;
  const fileName = path.basename(options.file).replace(/["\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\nContent-Type: application/json\r\n\r\n` +
      `${JSON.stringify(options.manifest)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${fileName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = (sha: string) => Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${sha}\r\n--${boundary}--\r\n`);
  const length = head.length + stat.size + tail('0'.repeat(64)).length;

  const url = new URL(cabinetPath, options.server);
  const transport = url.protocol === 'https:' ? https : http;
  const progress = options.progress ? new Progress(stat.size, `Uploading ${fileName}`) : undefined;

  return new Promise<RegisteredPackage>((resolve, reject) => {
    const req = transport.request(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${options.token}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': length,
      },
    });
    let answered = false;
    const file = fs.createReadStream(options.file, { highWaterMark: 1024 * 1024 });
    // The server may refuse before the upload ends (413, a duplicate): read its answer at once.
    req.on('response', (res) => {
      answered = true;
      file.destroy();
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          const body = readAnswer<{ package: RegisteredPackage }>(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'));
          resolve(body.package);
        } catch (error) {
          reject(error);
        }
      });
      res.on('error', reject);
    });
    req.on('error', (error) => {
      // A server that refuses mid-upload answers and then closes: the write may fail before its
      // answer is read, so give the answer a moment before calling it a network failure.
      file.destroy();
      setTimeout(() => {
        if (!answered) reject(new Error(`upload to ${options.server} failed: ${error.message}`));
      }, 1000);
    });

    const hash = crypto.createHash('sha256');
    let sent = 0;
    req.write(head);
    file.on('data', (data: string | Buffer) => {
      const chunk = typeof data === 'string' ? Buffer.from(data) : data;
      hash.update(chunk);
      sent += chunk.length;
      progress?.update(sent);
      if (!req.write(chunk)) {
        file.pause();
        req.once('drain', () => file.resume());
      }
    });
    file.on('end', () => {
      progress?.update(sent, true);
      req.end(tail(hash.digest('hex')));
    });
    file.on('error', (error) => {
      if (answered) return;
      req.destroy();
      reject(new Error(`cannot read ${options.file}: ${error.message}`));
    });
  });
}
