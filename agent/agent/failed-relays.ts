/**
 * Relays that failed recently (no answer in time, 5xx, refused the token, cut a download). They
 * are passed over until their rest ends, so a dead relay costs one timeout every few minutes
 * instead of one per download. Kept in memory only: a restarted agent simply tries again.
 */
export class FailedRelays {
  private readonly until = new Map<string, number>();

  constructor(
    private readonly now: () => number,
    /** How long a failed relay is passed over. */
    readonly restMs = 5 * 60_000,
  ) {}

  isResting(url: string): boolean {
    const until = this.until.get(url);
    if (until === undefined) return false;
    if (until > this.now()) return true;
    this.until.delete(url);
    return false;
  }

  failed(url: string): void {
    this.until.set(url, this.now() + this.restMs);
  }

  succeeded(url: string): void {
    this.until.delete(url);
  }
}
