import type { GuardrailViolation } from '@/lib/schedule/guardrails';

/** What breaks a group's guardrails, the first few in full (a daily window repeats its reason seven times). */
export function ViolationList({ violations, max = 3 }: { violations: readonly GuardrailViolation[]; max?: number }) {
  const shown = violations.slice(0, max);
  return (
    <ul className="mt-1 list-disc space-y-0.5 pl-4">
      {shown.map((v) => (
        <li key={`${v.rule}-${v.groupId}-${v.window}`}>{v.message}</li>
      ))}
      {violations.length > max ? <li>{`and ${violations.length - max} more like ${violations.length - max === 1 ? 'it' : 'these'}`}</li> : null}
    </ul>
  );
}
