// The merge queue, fetched a page at a time (strongest first): a big hub can hold thousands
// of proposals. A new filter starts over; a page that arrives after the filter changed is
// dropped.
import { ipc, type AppError, type ProposalSummary, type QueueView } from '../ipc';

export const PAGE = 200;
/** The most the backend returns in one page. */
const MAX_PAGE = 5000;

export class Queue {
  /** The last answer: counts per state, the two-person rule, the hub. */
  view = $state.raw<QueueView | null>(null);
  /** Raw: read by the virtual list, never deeply. */
  rows = $state.raw<ProposalSummary[]>([]);
  /** The state filtered on, or null for all. */
  state = $state<string | null>(null);
  loading = $state(false);
  /** The first page of the current filter has arrived. */
  ready = $state(false);
  error = $state<AppError | null>(null);

  #generation = 0;
  readonly #pageSize: number;

  constructor(pageSize = PAGE) {
    this.#pageSize = pageSize;
  }

  /** Proposals matching the filter, loaded or not. */
  get total(): number {
    return this.view?.total ?? 0;
  }

  get more(): boolean {
    return this.rows.length < this.total;
  }

  /** Loads the first page of `state` (at least `keep` rows, so a reload after a decision keeps
   * the rows scrolled to), replacing what was listed. */
  async load(state: string | null = this.state, keep = 0): Promise<void> {
    const mine = ++this.#generation;
    this.state = state;
    this.loading = true;
    this.error = null;
    try {
      const limit = Math.min(MAX_PAGE, Math.max(this.#pageSize, keep));
      const view = await ipc.mergeQueue({ state, limit, offset: 0 });
      if (mine !== this.#generation) return;
      this.view = view;
      this.rows = view.proposals;
      this.ready = true;
    } catch (raised) {
      if (mine !== this.#generation) return;
      this.rows = [];
      this.ready = true;
      this.error = raised as AppError;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }

  /** The same filter again, keeping as many rows as are loaded. */
  reload(): Promise<void> {
    return this.load(this.state, this.rows.length);
  }

  /** Loads the next page, unless one is loading, all are in, or the last one failed. */
  async next(): Promise<void> {
    if (this.loading || !this.ready || !this.more || this.error) return;
    const mine = this.#generation;
    this.loading = true;
    try {
      const view = await ipc.mergeQueue({ state: this.state, limit: this.#pageSize, offset: this.rows.length });
      if (mine !== this.#generation) return;
      this.view = view;
      this.rows = [...this.rows, ...view.proposals];
    } catch (raised) {
      if (mine === this.#generation) this.error = raised as AppError;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}

export type BulkCount = {
  /** Pending proposals scoring at least the minimum. */
  count: number;
  /** Of those, the ones the two-person rule holds: an approval now is the first of two. */
  twoPerson: number;
};

/** How many pending proposals a bulk approval at `minScore` would take, read page by page
 * (strongest first, so it stops at the first weaker one). */
export async function pendingAtLeast(minScore: number): Promise<BulkCount> {
  let count = 0;
  let twoPerson = 0;
  let offset = 0;
  for (;;) {
    const page = await ipc.mergeQueue({ state: 'pending', limit: MAX_PAGE, offset });
    for (const p of page.proposals) {
      if (p.score < minScore) return { count, twoPerson };
      count += 1;
      if (p.secondReason) twoPerson += 1;
    }
    offset += page.proposals.length;
    if (page.proposals.length === 0 || offset >= page.total) return { count, twoPerson };
  }
}
