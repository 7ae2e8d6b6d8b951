import { Icon } from '@/app/_components/icons';
import type { Notice } from '@/lib/portal/notifications';

/**
 * The portal's banners: mandatory installs starting within 24 h and deadlines within 48 h, so
 * nothing an administrator requires arrives as a surprise. Nothing to say: nothing shown.
 */
export function NotificationList({ notices }: { notices: Notice[] }) {
  if (notices.length === 0) return null;
  return (
    <ul aria-label="Notifications" className="mb-6 space-y-2">
      {notices.map((n) => (
        <li
          key={`${n.key}:${n.type}`}
          data-testid="notification"
          className={`flex items-start gap-3 rounded-xl border px-4 py-3 text-sm ${n.type === 'deadline' ? 'border-amber-200 bg-amber-50 text-amber-900' : 'border-brand-100 bg-brand-50 text-brand-900'}`}
        >
          <Icon name={n.type === 'deadline' ? 'clock' : 'bell'} className="mt-0.5 h-4 w-4 shrink-0" />
          <span>{n.text}.</span>
        </li>
      ))}
    </ul>
  );
}
