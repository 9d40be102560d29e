/** Whether a directory can take writes now: the local back-end and the runtime's readiness ask. */
import { constants } from 'node:fs';
import { access, statfs } from 'node:fs/promises';

const MiB = 1024 * 1024;

/**
 * Why `dir` cannot take writes now: its file system is read-only or not writable, or it has less
 * than `minFreeMiB` free. (access W_OK reports a read-only file system even to root.)
 */
export async function diskProblem(dir: string, minFreeMiB: number): Promise<string | undefined> {
  try {
    await access(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EROFS'
      ? `${dir} is on a read-only file system`
      : `${dir} cannot be written (${code ?? String(error)})`;
  }
  const fs = await statfs(dir);
  const free = fs.bavail * fs.bsize;
  if (free < minFreeMiB * MiB) {
    return `the disk of ${dir} has ${(free / MiB).toFixed(1)} MiB free, under the ${minFreeMiB} MiB it keeps (SPARKPLANE_MIN_FREE_DISK_MB)`;
  }
  return undefined;
}
