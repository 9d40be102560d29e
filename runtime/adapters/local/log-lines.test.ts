import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readLogLines, tailLines } from './log-lines';

let dir: string;
let log: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'sparkplane-log-lines-'));
  log = join(dir, 'driver.log');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function collect(iterable: AsyncIterable<string>): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of iterable) lines.push(line);
  return lines;
}

describe('readLogLines', () => {
  it('reads the lines so far, the last one even without a newline', async () => {
    writeFileSync(log, 'one\r\ntwo\nthree');
    expect(await collect(readLogLines(log, { follow: false, ended: () => false }))).toEqual(['one', 'two', 'three']);
  });

  it('yields nothing for a log not written yet', async () => {
    expect(await collect(readLogLines(log, { follow: false, ended: () => false }))).toEqual([]);
  });

  it('follows appended lines, joining a line written in two parts, until the end', async () => {
    writeFileSync(log, 'start\n');
    let ended = false;
    const lines: string[] = [];
    const reading = (async () => {
      for await (const line of readLogLines(log, { follow: true, ended: () => ended, pollMillis: 10 })) {
        lines.push(line);
        if (line === 'start') appendFileSync(log, 'hal');
        if (line === 'start') setTimeout(() => appendFileSync(log, 'f done\nlast\n'), 30);
        if (line === 'last') ended = true;
      }
    })();
    await reading;
    expect(lines).toEqual(['start', 'half done', 'last']);
  });

  it('stops following when the signal aborts', async () => {
    writeFileSync(log, 'a\n');
    const controller = new AbortController();
    const lines: string[] = [];
    for await (const line of readLogLines(log, { follow: true, ended: () => false, signal: controller.signal })) {
      lines.push(line);
      controller.abort();
    }
    expect(lines).toEqual(['a']);
  });
});

describe('tailLines', () => {
  it('returns the whole lines of the end of a file', async () => {
    writeFileSync(log, 'first line\nsecond\nthird\n');
    expect(await tailLines(log, 14)).toEqual(['second', 'third']);
    expect(await tailLines(log, 1000)).toEqual(['first line', 'second', 'third']);
    expect(await tailLines(join(dir, 'missing.log'), 10)).toEqual([]);
  });
});
