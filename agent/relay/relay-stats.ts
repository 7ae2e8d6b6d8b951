/** The relay's running figures, reported in every heartbeat's health and on /healthz. */
export interface RelayStats {
  startedAt: string;
  activeClients: number;
  bytesServed: number;
  bytesFetched: number;
  refused: number;
  lastError: string | null;
}

export function newStats(now: number): RelayStats {
  return { startedAt: new Date(now).toISOString(), activeClients: 0, bytesServed: 0, bytesFetched: 0, refused: 0, lastError: null };
}
