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

// Node refuses request headers over 16 KiB in all; larger manifests go as multipart.
const MAX_HEADER_MANIFEST = 8 * 1024;

/**
 * Registers a package: asks the server to check the manifest first (so a typo is reported
 * before a gigabyte is sent), then streams the file, hashing it as it goes and sending that
 * SHA-256 after it (an HTTP trailer, or a last multipart field), so the server refuses content
 * that changed on the way. The file is read once and never held in memory. The body is the raw
 * file with the manifest in a header, which spares the server parsing multipart; a manifest too
 * large for a header goes as multipart instead.
 */
export async function uploadPackage(options: UploadOptions): Promise<RegisteredPackage> {
  const cabinetPath = `/api/cabinets/${encodeURIComponent(options.cabinet)}/packages`;
  await requestJson(options, 'POST', `${cabinetPath}/check`, options.manifest);

  const stat = await fs.promises.stat(options.file);
  if (!stat.isFile()) throw new Error(`${options.file} is not a file`);
  const fileName = path.basename(options.file);
  const encodedManifest = Buffer.from(JSON.stringify(options.manifest)).toString('base64url');
  const framing = encodedManifest.length <= MAX_HEADER_MANIFEST ? rawFraming(encodedManifest, fileName, stat.size) : multipartFraming(options.manifest, fileName, stat.size);

  const url = new URL(cabinetPath, options.server);
  const transport = url.protocol === 'https:' ? https : http;
  const progress = options.progress ? new Progress(stat.size, `Uploading ${fileName}`) : undefined;

  return new Promise<RegisteredPackage>((resolve, reject) => {
    const req = transport.request(url, { method: 'POST', headers: { authorization: `Bearer ${options.token}`, ...framing.headers } });
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
    if (framing.head.length) req.write(framing.head);
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
      framing.finish(req, hash.digest('hex'));
    });
    file.on('error', (error) => {
      if (answered) return;
      req.destroy();
      reject(new Error(`cannot read ${options.file}: ${error.message}`));
    });
  });
}

interface Framing {
  headers: Record<string, string | number>;
  head: Buffer;
  finish(req: http.ClientRequest, sha256: string): void;
}

function rawFraming(encodedManifest: string, fileName: string, size: number): Framing {
  return {
    // Chunked, so the SHA-256 can follow the content as a trailer; the size is declared apart.
    headers: {
      'content-type': 'application/octet-stream',
      'x-depot-manifest': encodedManifest,
      'x-depot-file-name': encodeURIComponent(fileName),
      'x-depot-content-length': size,
      trailer: 'X-Depot-Sha256',
    },
    head: Buffer.alloc(0),
    finish(req, sha256) {
      req.addTrailers({ 'X-Depot-Sha256': sha256 });
      req.end();
    },
  };
}

function multipartFraming(manifest: unknown, fileName: string, size: number): Framing {
  const boundary = `----depot-pack-${crypto.randomBytes(12).toString('hex')}`;
  const safeName = fileName.replace(/["\r\n]/g, '_');
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="manifest"\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(manifest)}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${safeName}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
  );
  const tail = (sha: string) => Buffer.from(`\r\n--${boundary}\r\nContent-Disposition: form-data; name="sha256"\r\n\r\n${sha}\r\n--${boundary}--\r\n`);
  return {
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + size + tail('0'.repeat(64)).length },
    head,
    finish(req, sha256) {
      req.end(tail(sha256));
    },
  };
}
