import type { Connection } from '@oflink/server';

/** What this app keeps of a connection: whose it is and whether it still works. */
export interface StoredConnection {
  id: string;
  userId: string;
  status: string;
}

// One process, kept in memory for the example (on globalThis, so that Next's module reloads in
// development keep it); use your database in a real app.
const holder = globalThis as { __oflinkConnections?: Map<string, StoredConnection> };
holder.__oflinkConnections ??= new Map();
const store = holder.__oflinkConnections;

/** The app's record of its users' OnlyFans connections. */
export const connections = {
  save(userId: string, connection: Connection): void {
    store.set(connection.id, { id: connection.id, userId, status: connection.status });
  },
  setStatus(id: string, status: string): void {
    const found = store.get(id);
    if (found) store.set(id, { ...found, status });
  },
  remove(id: string): void {
    store.delete(id);
  },
  of(userId: string): StoredConnection[] {
    return [...store.values()].filter((c) => c.userId === userId);
  },
};
