import type { MachineGroup } from '@/db/schema';
import { checkGuardrails, describeEnvelope, formatHours } from '@/lib/schedule/guardrails';
import { ViolationList } from '@/app/_components/guardrail-violations';

/**
 * A group's guardrails in words, for everyone who may view the group: what users may choose, and
 * what already breaks it (members' own windows; the group's own default windows).
 */
export function GuardrailsSummary({ group, breaking }: { group: MachineGroup; breaking: number }) {
  const self = { groupId: group.id, groupName: group.name, windowEnvelope: group.windowEnvelope, minOpenMinutes: group.minOpenMinutes };
  // The defaults are the admins' own and not enforced, but a default outside the envelope is
  // likely a mistake: a user who starts from it cannot save it.
  const defaultsOutside = group.windows?.length ? checkGuardrails(group.windows, [self]) : [];
  return (
    <div className="space-y-2 text-sm text-slate-700" data-testid="guardrails-summary">
      <p>
        {group.selfService ? 'Users may put their own machines in this group from the portal.' : 'Only admins put machines in this group.'} Members’ own windows may lie{' '}
        {group.windowEnvelope ? <strong>only {describeEnvelope(group.windowEnvelope)}</strong> : 'anywhere in the week'}
        {group.minOpenMinutes ? (
          <>
            {' '}
            and must stay open at least <strong>{formatHours(group.minOpenMinutes)} a week</strong>
          </>
        ) : null}
        .
      </p>
      {breaking ? (
        <p className="rounded-lg bg-amber-50 px-3 py-2 text-amber-900">
          {`${breaking} ${breaking === 1 ? 'member’s' : 'members’'} own windows break these guardrails (see Members). They are kept until the user or an admin changes them.`}
        </p>
      ) : null}
      {defaultsOutside.length ? (
        <div className="rounded-lg bg-amber-50 px-3 py-2 text-amber-900">
          <p>This group’s default windows break its own guardrails, so a user who starts from them cannot save them:</p>
          <ViolationList violations={defaultsOutside} max={2} />
        </div>
      ) : null}
    </div>
  );
}
