/**
 * Where a local driver's Spark UI listens. The back-end asks for a free port (spark.ui.port), but
 * Spark moves to the next port when that one was taken meanwhile: only the driver's own log line
 * ("Successfully started service 'SparkUI' on port N") says where this driver's UI is, so the proxy
 * never forwards to a port another process holds.
 */
import { open } from 'node:fs/promises';
import { createServer } from 'node:net';

/** A port free on `host` now (the kernel's pick for port 0). */
export function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address !== null
          ? resolve(address.port)
          : reject(new Error(`no port on ${host}`)),
      );
    });
  });
}

const UI_STARTED = /Successfully started service 'SparkUI' on port (\d+)/;

/** The port the driver's log says its UI started on, if it says so. */
export function sparkUiPortInLog(text: string): number | undefined {
  const match = UI_STARTED.exec(text);
  return match ? Number(match[1]) : undefined;
}

/** How much of the start of a driver log is searched: the UI starts with the SparkContext, before any job. */
const HEAD_BYTES = 1024 * 1024;

/** The port of the UI, read from the start of the driver log; undefined while the log does not say it yet. */
export async function sparkUiPortOf(driverLog: string): Promise<number | undefined> {
  let file;
  try {
    file = await open(driverLog, 'r');
  } catch {
    return undefined;
  }
  try {
    const buffer = Buffer.alloc(HEAD_BYTES);
    const { bytesRead } = await file.read(buffer, 0, HEAD_BYTES, 0);
    return sparkUiPortInLog(buffer.subarray(0, bytesRead).toString('utf8'));
  } finally {
    await file.close();
  }
}

/** The URL of a host and port, brackets around an IPv6 address; a wildcard address is reached on loopback. */
export function uiUrl(host: string, port: number): string {
  const reachable = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return reachable.includes(':') ? `http://[${reachable}]:${port}` : `http://${reachable}:${port}`;
}
