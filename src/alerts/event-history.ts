import type { HubEvent } from './alert-messages';

/** The last `capacity` events, oldest first, for `resume`. A ring buffer: memory stays flat. */
export class EventHistory {
  private readonly ring: (HubEvent | undefined)[];
  private start = 0;
  private count = 0;

  constructor(readonly capacity: number) {
    this.ring = new Array(capacity);
  }

  push(event: HubEvent): void {
    const end = (this.start + this.count) % this.capacity;
    this.ring[end] = event;
    if (this.count < this.capacity) this.count++;
    else this.start = (this.start + 1) % this.capacity;
  }

  /** Event id of the oldest event still held, or undefined when empty. */
  oldestId(): number | undefined {
    return this.count === 0 ? undefined : this.ring[this.start]?.eventId;
  }

  /** Events with an id above `eventId`, oldest first. */
  after(eventId: number): HubEvent[] {
    const out: HubEvent[] = [];
    for (let i = 0; i < this.count; i++) {
      const e = this.ring[(this.start + i) % this.capacity]!;
      if (e.eventId > eventId) out.push(e);
    }
    return out;
  }
}
