import Link from 'next/link';
import { formatBytes } from '@/lib/format-bytes';
import type { PublicPackage } from '@/lib/packages/public-package';
import { Badge, Table, Td, formatDateTime } from '@/app/_components/ui';

export function PackagesTable({ packages, showCabinet = true }: { packages: PublicPackage[]; showCabinet?: boolean }) {
  return (
    <Table head={[...(showCabinet ? ['Cabinet'] : []), 'Package', 'Version', 'Installer', 'Size', 'Registered']} caption="Packages">
      {packages.map((p) => (
        <tr key={p.id} data-testid={`package-row-${p.packageId}-${p.version}-${p.generation}`}>
          {showCabinet ? <Td className="text-slate-600">{p.cabinet}</Td> : null}
          <Td>
            <Link href={`/packages/${p.id}`} className="font-medium text-brand-700 hover:underline">
              {p.displayName}
            </Link>
            <div className="font-mono text-xs text-slate-500">{p.packageId}</div>
          </Td>
          <Td>
            {p.version} <span className="text-xs text-slate-500">gen {p.generation}</span>
          </Td>
          <Td>
            <Badge tone="blue">{p.installerKind}</Badge> {p.selfService ? <Badge tone="green">self-service</Badge> : null}
            {p.expiresAt && new Date(p.expiresAt) < new Date() ? <Badge tone="red">expired</Badge> : null}
          </Td>
          <Td className="tabular-nums">{formatBytes(p.size)}</Td>
          <Td className="text-slate-600">{formatDateTime(p.createdAt)}</Td>
        </tr>
      ))}
    </Table>
  );
}
