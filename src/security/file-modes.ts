/**
 * What wafleet keeps on disk (the SQLite database and its -wal/-shm, the generated master key) is
 * for its own user only: new files are created 0600 in a 0700 directory. Files that already exist
 * are left as they are, but a mode that lets the group or other users in is reported at start,
 * with the command that fixes it.
 */
import { stat } from 'node:fs/promises';

export interface WideMode {
  path: string;
  /** Octal, e.g. "644". */
  mode: string;
  fix: string;
}

const GROUP_OR_OTHER = 0o077;

/** The given paths that exist and are open to the group or other users; none on Windows (no POSIX modes). */
export async function wideModes(paths: { directories: string[]; files: string[] }): Promise<WideMode[]> {
  if (process.platform === 'win32') return [];
  const found: WideMode[] = [];
  const check = async (path: string, wanted: number) => {
    let mode: number;
    try {
      mode = (await stat(path)).mode & 0o777;
    } catch {
      return; // not there (yet): nothing to report
    }
    if ((mode & GROUP_OR_OTHER) !== 0) found.push({ path, mode: mode.toString(8), fix: `chmod ${wanted.toString(8)} ${path}` });
  };
  for (const directory of paths.directories) await check(directory, 0o700);
  for (const file of paths.files) await check(file, 0o600);
  return found;
}
