// Internal: one process at a time on an embedded database's directory. PGlite is PostgreSQL in a
// single process with no locking of its own: two processes writing one directory each keep their
// own copy in memory and overwrite each other's files, so acknowledged writes vanish. A pid file,
// created exclusively, makes the second opener fail at once with a clear error instead.
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { ConnectionStoreError } from './ConnectionStoreError';

const LOCK_FILE = 'oflink-store.pid';
/** Directories this process holds, so a second store on one directory in the same process fails too. */
const held = new Set<string>();

/** Whether process `pid` of this host is running (EPERM: it runs as another user). */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder a lock file names, or null when it names nobody alive on this host. */
function holder(file: string): string | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const [pid, host] = text.trim().split(/\s+/);
  const n = Number(pid);
  if (!Number.isInteger(n) || n <= 0) return null;
  if (host && host !== hostname()) return `process ${n} on ${host}`;
  return running(n) ? `process ${n}` : null;
}

/**
 * Takes the directory for this process; throws `store_locked` when a live process (this one
 * included) holds it. A lock left by a process that died is taken over. Returns the release.
 */
export function lockDirectory(directory: string): () => void {
  const dir = resolve(directory);
  const file = join(dir, LOCK_FILE);
  const refuse = (who: string) =>
    new ConnectionStoreError(
      'store_locked',
      `The embedded database in ${dir} is already open in ${who}. An embedded (PGlite) database is ` +
        'opened by one process at a time: run one process, or share a PostgreSQL server ' +
        '(database: "postgres://…") between several.',
    );
  if (held.has(dir)) throw refuse(`this process (pid ${process.pid})`);
  mkdirSync(dir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx');
      writeSync(fd, `${process.pid} ${hostname()}\n`);
      closeSync(fd);
      held.add(dir);
      const release = () => {
        if (!held.delete(dir)) return;
        process.off('exit', release);
        rmSync(file, { force: true });
      };
      process.on('exit', release);
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const who = holder(file);
      if (who) throw refuse(who);
      // a stale lock of a process that died: remove it, and race for it once more
      rmSync(file, { force: true });
    }
  }
  throw refuse('another process that is starting at the same moment');
}
