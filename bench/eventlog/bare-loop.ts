/** The baseline: read the file, split lines, JSON.parse every line. Nothing else. */
import { createReadStream } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** Returns the number of lines parsed. */
export async function bareParse(path: string, chunkBytes = 1 << 20): Promise<number> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let lines = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: chunkBytes })) {
    const text = rest + decoder.write(chunk as Buffer);
    let start = 0;
    for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
      if (nl > start) {
        JSON.parse(text.slice(start, nl));
        lines++;
      }
      start = nl + 1;
    }
    rest = text.slice(start);
  }
  rest += decoder.end();
  if (rest.length > 0) {
    JSON.parse(rest);
    lines++;
  }
  return lines;
}
