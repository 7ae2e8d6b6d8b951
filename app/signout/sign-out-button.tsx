'use client';

import { signOut } from 'next-auth/react';
import { useState } from 'react';
import { buttonClass } from '@/app/_components/ui';

export function SignOutButton() {
  const [pending, setPending] = useState(false);
  return (
    <div className="flex gap-3">
      <button
        type="button"
        disabled={pending}
        className={`${buttonClass('primary')} flex-1`}
        onClick={async () => {
          setPending(true);
          await signOut({ redirect: false });
          window.location.assign('/signin');
        }}
      >
        {pending ? 'Signing out…' : 'Sign out'}
      </button>
      <a href="/" className={`${buttonClass('secondary')} flex-1`}>
        Cancel
      </a>
    </div>
  );
}
