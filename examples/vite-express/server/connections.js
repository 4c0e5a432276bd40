// The app's record of its users' OnlyFans connections, in memory for the example; use your database.
const store = new Map();

export const connections = {
  save: (userId, connection) =>
    store.set(connection.id, { id: connection.id, userId, status: connection.status }),
  setStatus: (id, status) => store.has(id) && store.set(id, { ...store.get(id), status }),
  remove: (id) => store.delete(id),
  of: (userId) => [...store.values()].filter((c) => c.userId === userId),
};
