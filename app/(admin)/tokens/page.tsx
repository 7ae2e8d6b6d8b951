import type { Metadata } from 'next';
import { getDb } from '@/db/client';
import { requirePageActor } from '@/lib/http/page-guard';
import { listTokens } from '@/lib/tokens/list-tokens';
import { Badge, Card, EmptyState, PageHeader, Table, Td, formatDateTime } from '@/app/_components/ui';
import { CreateTokenForm, RevokeTokenButton } from './token-forms';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  const actor = await requirePageActor('tokens.manage');
  const tokens = await listTokens(getDb(), { actor });
  const now = new Date();
  return (
    <>
      <PageHeader title="API tokens" description="For depot-pack and scripts: each token acts with one role. Only a hash is stored; a token is shown once, when it is created." />
      <div className="grid gap-6 lg:grid-cols-3">
        <div className="lg:col-span-2">
          {tokens.length === 0 ? (
            <EmptyState icon="key" title="No API tokens">
              Create one for your build pipeline, then run <code className="rounded bg-slate-100 px-1">DEPOT_TOKEN=… depot-pack --server … --cabinet … FILE</code>.
            </EmptyState>
          ) : (
            <Table head={['Token', 'Role', 'Status', 'Last used', 'Created', '']} caption="API tokens">
              {tokens.map((t) => {
                const expired = t.expiresAt && new Date(t.expiresAt) <= now;
                return (
                  <tr key={t.id} data-testid={`token-row-${t.name}`}>
                    <Td>
                      <div className="font-medium">{t.name}</div>
                      <div className="font-mono text-xs text-slate-500">{t.prefix}…</div>
                    </Td>
                    <Td><Badge tone="blue">{t.role}</Badge></Td>
                    <Td>{t.revokedAt ? <Badge tone="red">Revoked</Badge> : expired ? <Badge tone="amber">Expired</Badge> : <Badge tone="green">Active</Badge>}</Td>
                    <Td className="text-slate-600">{t.lastUsedAt ? formatDateTime(t.lastUsedAt) : 'Never'}</Td>
                    <Td className="text-slate-600">
                      {formatDateTime(t.createdAt)}
                      <div className="text-xs text-slate-500">by {t.createdBy ?? 'a removed user'}</div>
                    </Td>
                    <Td className="text-right">{t.revokedAt ? null : <RevokeTokenButton id={t.id} name={t.name} />}</Td>
                  </tr>
                );
              })}
            </Table>
          )}
        </div>
        <Card title="New API token">
          <CreateTokenForm />
        </Card>
      </div>
    </>
  );
}
