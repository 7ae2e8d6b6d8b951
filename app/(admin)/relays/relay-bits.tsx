import { formatBytes } from '@/lib/format-bytes';
import type { RelayState } from '@/lib/relays/relay-state';
import { Badge, type BadgeTone } from '@/app/_components/ui';

const STATE: Record<RelayState, { tone: BadgeTone; label: string }> = {
  online: { tone: 'green', label: 'Online' },
  offline: { tone: 'amber', label: 'Offline' },
  never: { tone: 'gray', label: 'Never connected' },
  revoked: { tone: 'red', label: 'Revoked' },
};

export function RelayStateBadge({ state }: { state: RelayState }) {
  return <Badge tone={STATE[state].tone}>{STATE[state].label}</Badge>;
}

/** The cache's share of the relay's disk (used by Depot, then free), with the cache limit. */
export function DiskBar({ used, free, limit, label }: { used: number | null; free: number | null; limit: number | null; label: string }) {
  if (used === null || free === null) return <span className="text-xs text-slate-400">Not reported yet</span>;
  const total = used + free;
  const pct = total > 0 ? Math.round((used / total) * 100) : 0;
  const full = limit ? used / limit : 0;
  return (
    <div className="min-w-40">
      <div className="h-1.5 rounded bg-slate-100" role="progressbar" aria-label={label} aria-valuenow={pct} aria-valuemin={0} aria-valuemax={100}>
        <div className={`h-1.5 rounded ${full > 0.9 ? 'bg-amber-500' : 'bg-brand-500'}`} style={{ width: `${Math.max(pct, used > 0 ? 2 : 0)}%` }} />
      </div>
      <div className="mt-1 text-xs text-slate-500">
        {formatBytes(used)} cached{limit ? ` of ${formatBytes(limit)}` : ''} · {formatBytes(free)} free
      </div>
    </div>
  );
}

export const ORDER_KIND_LABEL = { delete: 'Delete', prefetch: 'Transfer to relay' } as const;

/** requested → deleted / fetched, or failed (with the error beside it). */
export function OrderStateBadge({ kind, state }: { kind: 'delete' | 'prefetch'; state: 'requested' | 'done' | 'failed' }) {
  if (state === 'requested') return <Badge tone="blue">Requested</Badge>;
  if (state === 'failed') return <Badge tone="red">Failed</Badge>;
  return <Badge tone="green">{kind === 'delete' ? 'Deleted' : 'Fetched'}</Badge>;
}

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function ago(iso: string | null, now: Date): string {
  if (!iso) return 'Never';
  const s = Math.max(0, Math.round((now.getTime() - new Date(iso).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.round(s / 60)} min ago`;
  if (s < 86_400) return `${Math.round(s / 3600)} h ago`;
  return `${Math.round(s / 86_400)} d ago`;
}

/** The command that runs this relay, for the page that registered it and the empty state. */
export function relayCommand(serverUrl: string, token: string, relayUrl?: string): string {
  let port = '8081';
  try {
    if (relayUrl) port = new URL(relayUrl).port || (relayUrl.startsWith('https:') ? '443' : '80');
  } catch {
    // keep the default
  }
  return `depot-relay --server ${serverUrl} --token ${token} --listen :${port} --cache /var/cache/depot-relay`;
}
