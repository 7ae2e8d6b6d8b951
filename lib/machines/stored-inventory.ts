import { inventorySchema, type Inventory } from '@/lib/contract/agent-api';

/**
 * The last inventory stored on a machine row (recordInventory adds when it was reported), or null
 * when the agent has not reported one yet (enrolment stores only the host name and zone).
 */
export function storedInventory(facts: unknown): (Inventory & { reportedAt: string | null }) | null {
  if (!facts || typeof facts !== 'object') return null;
  const { reportedAt, ...rest } = facts as Record<string, unknown>;
  const parsed = inventorySchema.safeParse(rest);
  return parsed.success ? { ...parsed.data, reportedAt: typeof reportedAt === 'string' ? reportedAt : null } : null;
}
