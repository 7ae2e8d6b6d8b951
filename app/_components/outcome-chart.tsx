import type { AssignmentState } from '@/db/schema';

export interface OutcomeChartBucket {
  /** ISO instants; every bucket has the same length. */
  start: string;
  end: string;
  counts: Partial<Record<AssignmentState, number>>;
}

export interface OutcomeSeries {
  state: AssignmentState;
  label: string;
}

// The colours of JobProgress, so that a state looks the same everywhere.
const COLOUR: Partial<Record<AssignmentState, { fill: string; swatch: string }>> = {
  installed: { fill: 'fill-emerald-500', swatch: 'bg-emerald-500' },
  failed: { fill: 'fill-rose-500', swatch: 'bg-rose-500' },
  skipped: { fill: 'fill-amber-400', swatch: 'bg-amber-400' },
  cancelled: { fill: 'fill-slate-400', swatch: 'bg-slate-400' },
  expired: { fill: 'fill-slate-300', swatch: 'bg-slate-300' },
};
const FALLBACK = { fill: 'fill-brand-500', swatch: 'bg-brand-500' };

const WIDTH = 720;
const HEIGHT = 200;
const PAD = { left: 40, right: 8, top: 10, bottom: 26 };
const DAY_MS = 86_400_000;
const X_LABELS = 6;

/** Coordinates to a hundredth of a unit (the chart is 720 units wide): shorter markup, the same picture. */
const round = (n: number) => Math.round(n * 100) / 100;

/** The smallest 1, 2 or 5 × 10ⁿ at or above n: a y axis that reads easily. */
function niceCeil(n: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(n));
  return [1, 2, 5, 10].map((m) => m * magnitude).find((v) => v >= n)!;
}

// Formatters made once: toLocaleDateString / toLocaleTimeString with options build a new
// Intl.DateTimeFormat per call (about 0.3 ms each), and a chart formats a few hundred times.
const DAY_MONTH = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
const DAY_MONTH_YEAR = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' });
const HOUR_MINUTE = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: 'UTC' });

function formatTick(iso: string, stepMs: number, spansDays: boolean): string {
  const d = new Date(iso);
  if (stepMs >= DAY_MS) return DAY_MONTH.format(d);
  const time = HOUR_MINUTE.format(d);
  return spansDays ? `${DAY_MONTH.format(d)} ${time}` : time;
}

function formatRange(bucket: OutcomeChartBucket, stepMs: number): string {
  const start = new Date(bucket.start);
  const end = new Date(bucket.end);
  const day = (d: Date) => DAY_MONTH_YEAR.format(d);
  const time = (d: Date) => HOUR_MINUTE.format(d);
  if (stepMs >= DAY_MS) return stepMs === DAY_MS ? day(start) : `${day(start)} – ${day(new Date(end.getTime() - 1))}`;
  return `${day(start)}, ${time(start)}–${time(end)} UTC`;
}

/**
 * Outcomes over time as stacked bars, rendered on the server as SVG (no chart library, no
 * JavaScript in the browser). Screen readers get the totals from the image's label and the
 * numbers per bucket from a visually hidden table; sighted users get a legend and a tooltip per
 * bar. Series stack bottom to top in the order given.
 */
export function OutcomeChart({ title, buckets, series }: { title: string; buckets: OutcomeChartBucket[]; series: OutcomeSeries[] }) {
  const totals = series.map((s) => buckets.reduce((sum, b) => sum + (b.counts[s.state] ?? 0), 0));
  const summary = `${title}: ${series.map((s, i) => `${totals[i]} ${s.label.toLowerCase()}`).join(', ')}`;
  const stacks = buckets.map((b) => series.reduce((sum, s) => sum + (b.counts[s.state] ?? 0), 0));
  const top = niceCeil(Math.max(1, ...stacks));
  const plotWidth = WIDTH - PAD.left - PAD.right;
  const plotHeight = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotWidth / Math.max(1, buckets.length);
  // A few buckets stay bars, not blocks: at most 48 units wide, centred in their slot.
  const barWidth = Math.max(1, Math.min(48, slot * 0.75));
  const y = (n: number) => PAD.top + plotHeight - (n / top) * plotHeight;
  const stepMs = buckets.length ? Date.parse(buckets[0].end) - Date.parse(buckets[0].start) : DAY_MS;
  const spansDays = buckets.length > 0 && Date.parse(buckets.at(-1)!.end) - Date.parse(buckets[0].start) > DAY_MS;
  const labelEvery = Math.ceil(buckets.length / X_LABELS);
  const gridLines = top % 2 === 0 ? [0, top / 2, top] : [0, top];
  // Each bar a closed rectangle (x, top, width, down to its base), stacked bottom to top in series order.
  const bars = series.map((s) => ({ state: s.state, d: '' }));
  buckets.forEach((b, i) => {
    const x = round(PAD.left + i * slot + (slot - barWidth) / 2);
    let base = 0;
    series.forEach((s, k) => {
      const n = b.counts[s.state] ?? 0;
      if (!n) return;
      bars[k].d += `M${x} ${round(y(base + n))}h${round(barWidth)}V${round(y(base))}h${round(-barWidth)}z`;
      base += n;
    });
  });
  const describe = (b: OutcomeChartBucket) =>
    series
      .filter((s) => b.counts[s.state])
      .map((s) => `${b.counts[s.state]} ${s.label.toLowerCase()}`)
      .join(', ') || 'nothing';

  return (
    <figure>
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} className="h-auto w-full" role="img" aria-label={summary}>
        {gridLines.map((v) => (
          <g key={v}>
            <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(v)} y2={y(v)} className="stroke-slate-200" strokeWidth={1} />
            <text x={PAD.left - 6} y={y(v)} dy="0.32em" textAnchor="end" className="fill-slate-500 text-[11px] tabular-nums">
              {v}
            </text>
          </g>
        ))}
        {/* One path per series, a rectangle per bar in it, under one transparent column per bucket
            that carries the bucket's tooltip: the same picture as a rect per bar inside a group per
            bucket in a third of the elements. Elements are what the server pays for (it renders the
            page twice, as HTML and as its React payload); a job's chart was half its page's. */}
        {bars.map((bar) =>
          bar.d ? <path key={bar.state} d={bar.d} className={(COLOUR[bar.state] ?? FALLBACK).fill} /> : null,
        )}
        {buckets.map((b, i) => (
          <rect key={b.start} x={round(PAD.left + i * slot)} y={PAD.top} width={round(slot)} height={plotHeight} fill="transparent">
            <title>{`${formatRange(b, stepMs)}: ${describe(b)}`}</title>
          </rect>
        ))}
        {buckets.map((b, i) =>
          i % labelEvery === 0 ? (
            <text key={b.start} x={round(PAD.left + i * slot + slot / 2)} y={HEIGHT - 8} textAnchor="middle" className="fill-slate-500 text-[11px]">
              {formatTick(b.start, stepMs, spansDays)}
            </text>
          ) : null,
        )}
      </svg>
      <figcaption className="mt-2 flex flex-wrap items-center gap-x-4 gap-y-1 text-xs text-slate-600">
        {series.map((s, i) => (
          <span key={s.state} className="inline-flex items-center gap-1.5">
            <span aria-hidden className={`inline-block h-2.5 w-2.5 rounded-sm ${(COLOUR[s.state] ?? FALLBACK).swatch}`} />
            {s.label} <span className="font-medium tabular-nums text-slate-900">{totals[i]}</span>
          </span>
        ))}
        <span className="text-slate-500">Times in UTC.</span>
      </figcaption>
      <table className="sr-only">
        <caption>{`${title}, per ${stepLabel(stepMs)}; periods without outcomes are left out`}</caption>
        <thead>
          <tr>
            <th scope="col">Period</th>
            {series.map((s) => (
              <th key={s.state} scope="col">
                {s.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {buckets
            .filter((_, i) => stacks[i] > 0)
            .map((b) => (
              <tr key={b.start}>
                <th scope="row">{formatRange(b, stepMs)}</th>
                {series.map((s) => (
                  <td key={s.state}>{b.counts[s.state] ?? 0}</td>
                ))}
              </tr>
            ))}
        </tbody>
      </table>
    </figure>
  );
}

function stepLabel(stepMs: number): string {
  if (stepMs % DAY_MS === 0) return stepMs === DAY_MS ? 'day' : `${stepMs / DAY_MS} days`;
  if (stepMs % 3_600_000 === 0) return stepMs === 3_600_000 ? 'hour' : `${stepMs / 3_600_000} hours`;
  return stepMs === 60_000 ? 'minute' : `${stepMs / 60_000} minutes`;
}
