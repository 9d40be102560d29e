import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort, sparkUiPortInLog, sparkUiPortOf, uiUrl } from './spark-ui-port';

const LOG = [
  "25/12/03 07:30:01 INFO Utils: Successfully started service 'sparkDriver' on port 39411.",
  "25/12/03 07:30:02 WARN Utils: Service 'SparkUI' could not bind on port 41234. Attempting port 41235.",
  "25/12/03 07:30:02 INFO Utils: Successfully started service 'SparkUI' on port 41235.",
].join('\n');

describe('the port of a local Spark UI', () => {
  it("is the one the driver's log says the UI started on, not the one asked for or another service's", () => {
    expect(sparkUiPortInLog(LOG)).toBe(41235);
    expect(sparkUiPortInLog(LOG.split('\n').slice(0, 2).join('\n'))).toBeUndefined();
  });

  it('is read from the driver log file, and unknown while there is none', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sparkplane-ui-port-'));
    try {
      expect(await sparkUiPortOf(join(dir, 'driver.log'))).toBeUndefined();
      writeFileSync(join(dir, 'driver.log'), LOG);
      expect(await sparkUiPortOf(join(dir, 'driver.log'))).toBe(41235);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is asked for among the ports free on the bind address', async () => {
    const port = await freePort('127.0.0.1');
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    await new Promise((resolve) => server.close(resolve));
    expect(port).toBeGreaterThan(0);
  });

  it('is reached on loopback when Spark binds every address, with brackets for IPv6', () => {
    expect(uiUrl('127.0.0.1', 4040)).toBe('http://127.0.0.1:4040');
    expect(uiUrl('0.0.0.0', 4040)).toBe('http://127.0.0.1:4040');
    expect(uiUrl('::1', 4041)).toBe('http://[::1]:4041');
  });
});
