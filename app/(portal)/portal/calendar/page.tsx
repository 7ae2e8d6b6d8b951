import type { Metadata } from 'next';
import { getDb } from '@/db/client';
import { requirePageActor } from '@/lib/http/page-guard';
import { getCalendarFeedStatus } from '@/lib/portal/get-calendar-feed-status';
import { FEED_DAYS } from '@/lib/portal/get-calendar-feed';
import { Badge, Card, PageHeader } from '@/app/_components/ui';
import { CreateFeedForm, RevokeFeedForm } from './calendar-forms';

export const metadata: Metadata = { title: 'Calendar feed' };

export default async function Page() {
  const actor = await requirePageActor('portal.use');
  const { active } = await getCalendarFeedStatus(getDb(), { actor });
  return (
    <>
      <PageHeader
        title="Calendar feed"
        description={`See in your own calendar when software will be installed on your machines: installs at their start time, deadlines and offers that end, for the next ${FEED_DAYS} days.`}
        actions={active ? <Badge tone="green">Feed on</Badge> : <Badge>No feed</Badge>}
      />
      <div className="grid gap-6 lg:grid-cols-2">
        <Card title={active ? 'Your feed URL' : 'Create a feed URL'}>
          <p className="mb-4 text-sm text-slate-600">
            {active
              ? 'Your feed is on. Its URL was shown once when you created it and is not stored; if you lost it, replace it with a new one.'
              : 'A private address your calendar app subscribes to. It needs no password, so treat it like one.'}
          </p>
          <CreateFeedForm active={active} />
        </Card>
        {active ? (
          <Card title="Turn off">
            <p className="mb-4 text-sm text-slate-600">The URL stops working at once; subscribed calendars keep the last events they fetched until they refresh.</p>
            <RevokeFeedForm />
          </Card>
        ) : null}
      </div>
    </>
  );
}
