/**
 * The ceiling for serving one file to many clients on this machine: a bare HTTP/1.1 responder
 * that reads a request's head, writes a fixed 200 with Content-Length, sends the whole file by
 * sendfile(2) and closes. No routing, no authorization, no cache, no Range: only the kernel's
 * path from the page cache through loopback TCP to the clients, which the relay cannot beat.
 * The relay bench runs the same crowd against it to show how much of that path the relay keeps.
 */
import fs from 'node:fs';
import net from 'node:net';
import { sendfile, sendfileSupport } from '../agent/relay/native-sendfile';

export interface BareServer {
  url: string;
  close(): Promise<void>;
}

export async function startBareSendfileServer(file: string): Promise<BareServer> {
  const { module, why } = sendfileSupport();
  if (!module) throw new Error(`the bare sendfile server needs the sendfile module: ${why}`);
  const size = fs.statSync(file).size;
  const fd = fs.openSync(file, 'r');
  const server = net.createServer((socket) => {
    socket.on('error', () => socket.destroy());
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      socket.write(`HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: ${size}\r\nConnection: close\r\n\r\n`, async () => {
        const sending = sendfile(socket, fd, 0, size);
        if (!sending) return socket.destroy();
        const { error } = await sending;
        if (error) socket.destroy();
        else socket.end();
      });
    };
    socket.on('data', onData);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          fs.closeSync(fd);
          resolve();
        });
      }),
  };
}
