/**
 * CPU a process has used so far, split into its main thread (the event loop) and the others, read
 * from /proc/<pid>/task/<tid>/stat (Linux); undefined where there is no /proc.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc's utime and stime: USER_HZ, 100 on Linux everywhere. */
const TICKS_PER_SECOND = 100;

export function threadCpuMicros(pid: number): { main: number; other: number } | undefined {
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return undefined;
  }
  let main = 0;
  let other = 0;
  for (const tid of tids) {
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    } catch {
      continue; // the thread ended meanwhile
    }
    // the fields after "(comm)": state is the 1st, utime the 12th, stime the 13th
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const micros = ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / TICKS_PER_SECOND;
    if (tid === String(pid)) main += micros;
    else other += micros;
  }
  return { main, other };
}
