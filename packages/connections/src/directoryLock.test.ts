// One process at a time on an embedded database's directory: PGlite has no locking of its own, so
// a second process would silently lose acknowledged writes. Proven with real child processes.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Connection } from '@oflink/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { createConnectionStore } from './createConnectionStore';

const dirs: string[] = [];
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'oflink-pglite-'));
  dirs.push(dir);
  return join(dir, 'db');
}

function connection(id: string, owner: string): Connection {
  const now = new Date().toISOString();
  return {
    id,
    status: 'active',
    userData: { id: '1', name: 'Ada', username: 'ada', avatar: null },
    permissions: [],
    expiredAt: null,
    createdAt: now,
    updatedAt: now,
    clientReferenceId: owner,
    imported: false,
    lastCheckedAt: null,
  };
}

/** Another process that opens a store on `database`, says `open` (or the error code), and holds it. */
function otherProcess(database: string): Promise<{ child: ChildProcess; said: string }> {
  const script = join(dirs[0] ?? tmpdir(), `holder-${randomUUID()}.mts`);
  const source = fileURLToPath(new URL('./createConnectionStore.ts', import.meta.url));
  writeFileSync(
    script,
    `import { createConnectionStore } from ${JSON.stringify(source)};
     try {
       const store = createConnectionStore({ database: ${JSON.stringify(database)} });
       await store.ready();
       console.log('open');
     } catch (error) {
       console.log(error.code ?? String(error));
     }
     setInterval(() => undefined, 1000);`,
  );
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: fileURLToPath(new URL('..', import.meta.url)),
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.includes('\n')) resolve({ child, said: out.trim() });
    });
    child.on('exit', (code) =>
      reject(new Error(`the other process exited (${code}) before it said anything`)),
    );
  });
}

describe('an embedded database in a directory', () => {
  it('keeps the connections across restarts', async () => {
    const database = tempDir();
    const first = createConnectionStore({ database });
    await first.record('user_a', connection('conn_kept', 'user_a'));
    await first.close();
    const second = createConnectionStore({ database });
    expect((await second.list('user_a')).map((c) => c.id)).toEqual(['conn_kept']);
    await second.close();
  });

  it('refuses a second store in the same process when it opens, with store_locked', async () => {
    const database = tempDir();
    const first = createConnectionStore({ database });
    await first.ready();
    const second = createConnectionStore({ database });
    await expect(second.ready()).rejects.toMatchObject({
      name: 'ConnectionStoreError',
      code: 'store_locked',
    });
    await first.close();
    const again = createConnectionStore({ database });
    await again.ready();
    await again.close();
  });

  it('refuses a second process while the first holds it, and opens once the first is gone, even killed', async () => {
    const database = tempDir();
    const holder = await otherProcess(database);
    expect(holder.said).toBe('open');
    await expect(createConnectionStore({ database }).ready()).rejects.toMatchObject({
      code: 'store_locked',
      message: expect.stringContaining(`process ${holder.child.pid}`),
    });
    const second = await otherProcess(database);
    expect(second.said).toBe('store_locked');
    // killed: no exit handler removed its lock file; the lock of a dead process is taken over
    const gone = new Promise((resolve) => holder.child.once('exit', resolve));
    holder.child.kill('SIGKILL');
    await gone;
    const store = createConnectionStore({ database });
    await store.record('user_b', connection('conn_after', 'user_b'));
    expect((await store.list('user_b')).map((c) => c.id)).toEqual(['conn_after']);
    await store.close();
  });
});
