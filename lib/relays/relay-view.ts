import type { Relay } from '@/db/schema';
import { relayState, type RelayState } from './relay-state';

export interface RelayView {
  id: string;
  name: string;
  description: string;
  url: string;
  parentId: string | null;
  prefix: string;
  state: RelayState;
  createdAt: string;
  revokedAt: string | null;
  lastHeartbeatAt: string | null;
  diskFreeBytes: number | null;
  cacheUsedBytes: number | null;
  cacheLimitBytes: number | null;
  health: Record<string, unknown>;
}

/** What pages and the JSON API show of a relay row (never its token hash). */
export function toRelayView(r: Relay, now: Date): RelayView {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    url: r.url,
    parentId: r.parentId,
    prefix: r.prefix,
    state: relayState(r, now),
    createdAt: r.createdAt.toISOString(),
    revokedAt: r.revokedAt?.toISOString() ?? null,
    lastHeartbeatAt: r.lastHeartbeatAt?.toISOString() ?? null,
    diskFreeBytes: r.diskFreeBytes,
    cacheUsedBytes: r.cacheUsedBytes,
    cacheLimitBytes: r.cacheLimitBytes,
    health: r.health,
  };
}

/** How pages and orders name content no package uses: by the start of its SHA-256. */
export function contentLabel(sha256: string): string {
  return `content ${sha256.slice(0, 12)}…`;
}
