import type { JobKind } from '@/db/schema';

/** How many lines of a failed installer's output the history shows. */
export const OUTPUT_TAIL_LINES = 5;

export interface OutcomeFacts {
  state: 'installed' | 'failed' | 'skipped' | 'cancelled' | 'expired';
  jobKind: JobKind;
  exitCode: number | null;
  reason: string | null;
  /** The end of the output (the query keeps only the last few KiB). */
  output: string | null;
}

/** The last non-empty lines of an installer's output, where its error usually is. */
export function outputTail(output: string | null, lines = OUTPUT_TAIL_LINES): string[] {
  if (!output) return [];
  return output
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter(Boolean)
    .slice(-lines);
}

/**
 * One attempt's outcome in words for the machine's user: a skip names the condition that was not
 * met (the agent's reason), a failure its exit code (the output's last lines go beside it), a
 * cancel or expiry what ended it.
 */
export function describeOutcome(o: OutcomeFacts): string {
  switch (o.state) {
    case 'installed':
      if (o.reason) return sentence(o.reason);
      return o.jobKind === 'inventory' ? 'Inventory collected and sent.' : o.jobKind === 'uninstall' ? 'Removed.' : 'Installed.';
    case 'skipped':
      return sentence(`Not installed: ${o.reason ?? 'an installation condition was not met'}`);
    case 'failed': {
      const code = o.exitCode === null ? null : `The installer ended with exit code ${o.exitCode}`;
      // The agent's reason often repeats the exit code ("exit code 3 (success: 0)"); say it once.
      const reason = o.reason && !(code && /^exit code -?\d+/.test(o.reason)) ? o.reason : null;
      const text = [code, reason].filter(Boolean).join(': ');
      return text ? sentence(text) : 'Failed.';
    }
    case 'cancelled':
      return sentence(`Cancelled: ${o.reason ?? 'an administrator cancelled the job before it started'}`);
    case 'expired':
      return sentence(`Expired: ${o.reason ?? (o.jobKind === 'offer' ? 'the offer ended before it was installed' : 'it ended before it was installed')}`);
  }
}

/** Capitalised, with a full stop unless it already ends in punctuation. */
function sentence(text: string): string {
  const t = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(t) ? t : `${t}.`;
}
