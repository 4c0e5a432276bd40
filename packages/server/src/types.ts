// The protocol shapes the server's API names, defined once in the workspace's protocol package.
export type { Connection, Geolocation, LinkSession } from '@oflink/protocol';
