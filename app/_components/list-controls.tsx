import Link from 'next/link';
import { buttonClass, inputClass } from './ui';

/**
 * A GET search box: the query lives in the URL, so results can be linked and reloaded. `keep`:
 * other filters of the page, sent along as hidden fields so a search does not drop them.
 */
export function SearchForm({ id, label, placeholder, value, keep }: { id: string; label: string; placeholder: string; value?: string; keep?: Record<string, string | undefined> }) {
  return (
    <form className="mb-4 flex gap-2" role="search">
      {Object.entries(keep ?? {}).map(([name, v]) => (v ? <input key={name} type="hidden" name={name} value={v} /> : null))}
      <label htmlFor={id} className="sr-only">{label}</label>
      <input id={id} name="q" defaultValue={value ?? ''} placeholder={placeholder} className={`${inputClass} max-w-sm`} />
      <button className={buttonClass('secondary')}>Search</button>
    </form>
  );
}

/** Previous / next for offset-paged lists; `href(page)` keeps the other search parameters. */
export function Pager({ page, total, pageSize, href }: { page: number; total: number; pageSize: number; href: (page: number) => string }) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  if (pages <= 1) return null;
  return (
    <nav aria-label="Pages" className="mt-4 flex items-center justify-between text-sm text-slate-600">
      <span>Page {page} of {pages}</span>
      <span className="flex gap-2">
        {page > 1 ? <Link className={buttonClass('secondary')} href={href(page - 1)}>← Previous</Link> : null}
        {page < pages ? <Link className={buttonClass('secondary')} href={href(page + 1)}>Next →</Link> : null}
      </span>
    </nav>
  );
}

/** The current search parameters with `page` replaced, as a query string. */
export function pageHref(path: string, params: Record<string, string | undefined>, page: number): string {
  const kept = Object.fromEntries(Object.entries(params).filter((e): e is [string, string] => !!e[1] && e[0] !== 'page'));
  return `${path}?${new URLSearchParams({ ...kept, page: String(page) })}`;
}
