/** How often relays send a heartbeat (the server tells them in each answer). */
export const HEARTBEAT_SECONDS = 30;

/** Online: a heartbeat within three intervals, so one lost heartbeat does not flicker the page. */
export const ONLINE_WITHIN_MS = 3 * HEARTBEAT_SECONDS * 1000;

export type RelayState = 'online' | 'offline' | 'never' | 'revoked';

export function relayState(relay: { revokedAt: Date | null; lastHeartbeatAt: Date | null }, now: Date): RelayState {
  if (relay.revokedAt) return 'revoked';
  if (!relay.lastHeartbeatAt) return 'never';
  return now.getTime() - relay.lastHeartbeatAt.getTime() < ONLINE_WITHIN_MS ? 'online' : 'offline';
}
