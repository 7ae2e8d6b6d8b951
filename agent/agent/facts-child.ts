import { inventorySchema, type Inventory } from '../../lib/contract/agent-api';
import { runProcess } from './process-runner';

/**
 * Collects the machine's facts in a short-lived child (`depot-agent facts`): systeminformation
 * is large and some of its calls spawn tools, and the daemon should not carry either between
 * its half-hourly refreshes (measured: it is most of what kept the idle agent above 50 MB).
 */
export function factsFromChild(entry: string): () => Promise<Inventory> {
  return async () => {
    const result = await runProcess([process.execPath, entry, 'facts'], { timeoutMs: 60_000 });
    if (result.exitCode !== 0) throw new Error(`collecting facts failed: ${result.error ?? result.output.trim().slice(-300)}`);
    return inventorySchema.parse(JSON.parse(result.output));
  };
}
