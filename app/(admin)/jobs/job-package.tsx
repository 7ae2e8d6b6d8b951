import Link from 'next/link';
import { Badge } from '@/app/_components/ui';

/** A job's package by its stored label: a link while the package exists, a "package deleted" badge after. */
export function JobPackage({ job }: { job: { packageId: string | null; packageLabel: string | null; packageDeleted: boolean } }) {
  if (!job.packageLabel) return <span>no package</span>;
  if (job.packageDeleted || !job.packageId) {
    return (
      <span data-testid="job-package-deleted">
        {job.packageLabel} <Badge tone="gray">package deleted</Badge>
      </span>
    );
  }
  return (
    <Link href={`/packages/${job.packageId}`} className="text-brand-700 hover:underline">
      {job.packageLabel}
    </Link>
  );
}
