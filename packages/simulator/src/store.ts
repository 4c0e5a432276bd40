import { createHash } from 'node:crypto';
import type { ConnectionStatus, OnlyFansUser } from '@oflink/protocol';
import { rand } from './http';
import { SCENARIOS } from './scenarios';
import type { Connection, SessionRecord } from './types';
import type { WebhookEventType } from './webhooks';

/** A session with the fields only the simulator's pages read. */
export type SessionInternal = SessionRecord & {
  /** Deprecated `mode` of the init request (`redirect` makes the success message ask for a redirect). */
  mode: string | null;
  /** Where the person left, once cancelled. */
  cancelStep: OpenStep | null;
  /** The whitelabel `clientSecret` handed out at init, if any. */
  clientSecret: string | null;
  /** Whether the last login attempt had a wrong password. */
  badLogin: boolean;
};

/** The steps of an open session, where a person can leave. */
export type OpenStep = 'pre-login' | 'login' | '2fa';

/** Type guard for {@link OpenStep}. */
export const isOpenStep = (v: unknown): v is OpenStep => v === 'pre-login' || v === 'login' || v === '2fa';

const TERMINAL = new Set(['success', 'cancelled', 'error', 'expired']);

/** Whether a session reached an outcome or expired. */
export const isTerminal = (s: SessionRecord): boolean => TERMINAL.has(s.state);

/** The OnlyFans user an email logs into: a stable id from the email, a name from its local part. */
export function userFor(email: string): OnlyFansUser {
  const local = email.slice(0, email.indexOf('@')).replace(/[^a-zA-Z0-9_.-]/g, '') || 'user';
  const id = String(
    Number.parseInt(createHash('sha256').update(email.toLowerCase()).digest('hex').slice(0, 10), 16),
  );
  return {
    id,
    name: local.charAt(0).toUpperCase() + local.slice(1),
    username: local.toLowerCase(),
    avatar: null,
  };
}

/** The in-memory sessions and connections, and the transitions that fire webhooks. */
export class Store {
  readonly sessions = new Map<string, SessionInternal>();
  /** In creation order (a Map keeps insertion order). */
  readonly connections = new Map<string, Connection>();

  constructor(private readonly fire: (type: WebhookEventType, c: Connection) => void) {}

  isOpen(s: SessionInternal): boolean {
    return !isTerminal(s) && Date.parse(s.expiresAt) > Date.now();
  }

  /** Marks a session past its time as expired (lazily, when it is looked at). */
  refresh(s: SessionInternal): SessionInternal {
    if (!isTerminal(s) && Date.parse(s.expiresAt) <= Date.now()) s.state = 'expired';
    return s;
  }

  /** The session a `cs_…` id or a whitelabel `clientSecret` names. */
  find(idOrSecret: string): SessionInternal | undefined {
    const s = this.sessions.get(idOrSecret) ?? this.sessions.get(idOrSecret.split('_secret_')[0] ?? '');
    if (s && s.id !== idOrSecret && s.clientSecret !== idOrSecret) return undefined;
    return s ? this.refresh(s) : undefined;
  }

  openCount(): number {
    let n = 0;
    for (const s of this.sessions.values()) if (this.isOpen(s)) n++;
    return n;
  }

  /** Expires one open session (by id or URL) or every open one; returns how many. */
  expire(idOrUrl?: string): number {
    const id = idOrUrl ? (/cs_[A-Za-z0-9]+/.exec(idOrUrl)?.[0] ?? idOrUrl) : undefined;
    const past = new Date(Date.now() - 1).toISOString();
    let n = 0;
    for (const s of this.sessions.values()) {
      if ((id !== undefined && s.id !== id) || !this.isOpen(s)) continue;
      s.expiresAt = past;
      s.state = 'expired';
      n++;
    }
    return n;
  }

  /** A session as the admin API shows it, without the page-only fields. */
  publicSession(s: SessionInternal): SessionRecord {
    const { mode: _m, cancelStep: _c, clientSecret: _s, badLogin: _b, ...rest } = this.refresh(s);
    return { ...rest };
  }

  /** The connection a finished login creates, or the one it re-authenticates (`connectionId` at init). */
  complete(s: SessionInternal): Connection {
    const scenario = SCENARIOS.find((x) => x.id === s.scenarioId);
    const userData = userFor(s.email ?? 'user@creator.sandbox.com');
    const permissions =
      scenario?.accountType === 'fan'
        ? ['profile:read', 'subscriptions:read']
        : ['profile:read', 'messages:write', 'posts:write', 'earnings:read'];
    const now = new Date().toISOString();
    const existing = s.connectionId ? this.connections.get(s.connectionId) : undefined;
    if (existing) {
      Object.assign(existing, {
        status: 'active',
        userData,
        permissions,
        expiredAt: null,
        updatedAt: now,
        lastCheckedAt: now,
      });
      if (s.clientReferenceId !== null) existing.clientReferenceId = s.clientReferenceId;
      this.fire('connection.updated', existing);
      return existing;
    }
    const conn = this.add({
      userData,
      permissions,
      clientReferenceId: s.clientReferenceId,
      lastCheckedAt: now,
    });
    this.fire('connection.created', conn);
    return conn;
  }

  /** Stores a connection, filling what `input` leaves out. */
  add(input: Partial<Connection>): Connection {
    const now = new Date().toISOString();
    const conn: Connection = {
      id: input.id ?? `conn_${rand(14)}`,
      status: input.status ?? 'active',
      userData: input.userData ?? userFor('seeded@creator.sandbox.com'),
      permissions: input.permissions ?? ['profile:read'],
      expiredAt: input.expiredAt ?? null,
      createdAt: input.createdAt ?? now,
      updatedAt: input.updatedAt ?? now,
      clientReferenceId: input.clientReferenceId ?? null,
      imported: input.imported ?? false,
      lastCheckedAt: input.lastCheckedAt ?? null,
    };
    this.connections.set(conn.id, conn);
    return conn;
  }

  /** Connections matching the filter, oldest or newest first. */
  list(filter: { status?: ConnectionStatus; imported?: boolean }, newestFirst: boolean): Connection[] {
    const all = [...this.connections.values()].filter(
      (c) =>
        (filter.status === undefined || c.status === filter.status) &&
        (filter.imported === undefined || c.imported === filter.imported),
    );
    return newestFirst ? all.reverse() : all;
  }

  /** OnlyFans signed the account out: the connection expires. */
  invalidate(conn: Connection): void {
    const now = new Date().toISOString();
    Object.assign(conn, { status: 'expired', expiredAt: now, updatedAt: now });
    this.fire('connection.expired', conn);
  }

  remove(conn: Connection): void {
    this.connections.delete(conn.id);
    this.fire('connection.disconnected', conn);
  }

  /** Deep copies, so callers cannot change the store. */
  snapshot(): Connection[] {
    return [...this.connections.values()].map((c) => ({
      ...c,
      userData: { ...c.userData },
      permissions: [...c.permissions],
    }));
  }

  clear(): void {
    this.sessions.clear();
    this.connections.clear();
  }
}
