'use client';

import { ActionForm } from '@/app/_components/action-form';
import { buttonClass } from '@/app/_components/ui';
import { joinGroupAction, leaveGroupAction } from './actions';

/** Join or leave one self-service group; the result (or why not) shows under the button. */
export function MembershipButton({ machineId, groupId, groupName, member, disabled }: { machineId: string; groupId: string; groupName: string; member: boolean; disabled?: boolean }) {
  return (
    <ActionForm action={member ? leaveGroupAction : joinGroupAction} label={`${member ? 'Leave' : 'Join'} ${groupName}`}>
      {(_state, pending) => (
        <>
          <input type="hidden" name="id" value={machineId} />
          <input type="hidden" name="groupId" value={groupId} />
          <button type="submit" disabled={pending || disabled} className={buttonClass(member ? 'secondary' : 'primary')}>
            {member ? 'Leave' : 'Join'}
          </button>
        </>
      )}
    </ActionForm>
  );
}
