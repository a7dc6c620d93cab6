/**
 * k-of-n evidence before calling a face a candidate match: one similar frame is not enough (the
 * field's top complaint is false matches). Pure; the caller keys it per identity.
 */
export class MatchEvidence {
  private readonly recent: boolean[] = [];

  constructor(
    private readonly k: number,
    private readonly n: number,
  ) {}

  /** Records one observation; returns true while at least k of the last n matched. */
  add(matched: boolean): boolean {
    this.recent.push(matched);
    if (this.recent.length > this.n) this.recent.shift();
    return this.count() >= this.k;
  }

  count(): number {
    return this.recent.filter(Boolean).length;
  }
}
