import type { Role } from '@/db/schema';
import { ROLE_LABEL } from '@/lib/auth/permissions';
import { Badge, type BadgeTone } from '@/app/_components/ui';

const ROLE_TONE: Record<Role, BadgeTone> = { admin: 'violet', deployer: 'blue', auditor: 'amber', user: 'gray' };

export function RoleBadge({ role }: { role: Role }) {
  return <Badge tone={ROLE_TONE[role]}>{ROLE_LABEL[role]}</Badge>;
}

export function StatusBadge({ disabled }: { disabled: boolean }) {
  return disabled ? <Badge tone="red">Disabled</Badge> : <Badge tone="green">Active</Badge>;
}
