// The findings list, fetched a page at a time: a run can hold hundreds of thousands, so only
// the pages scrolled to are loaded. A new filter starts over; a page that arrives after the
// filter changed is dropped.
import { ipc, type AppError, type FindingView } from '../ipc';
import { NO_FILTER, type FindingFilter } from './format';

export const PAGE = 500;

export class Findings {
  /** Raw: thousands of rows, read by the virtual list, never deeply. */
  rows = $state.raw<FindingView[]>([]);
  /** Findings matching the filter, loaded or not. */
  total = $state(0);
  loading = $state(false);
  /** The first page of the current filter has arrived. */
  ready = $state(false);
  error = $state<AppError | null>(null);
  filter = $state.raw<FindingFilter>(NO_FILTER);

  #generation = 0;
  readonly #pageSize: number;

  constructor(pageSize = PAGE) {
    this.#pageSize = pageSize;
  }

  /** Loads the first page of `filter`, replacing what was listed. */
  async load(filter: FindingFilter = this.filter): Promise<void> {
    const mine = ++this.#generation;
    this.filter = filter;
    this.loading = true;
    this.error = null;
    try {
      const page = await ipc.driftFindings({ ...filter, offset: 0, limit: this.#pageSize });
      if (mine !== this.#generation) return;
      this.rows = page.rows;
      this.total = page.total;
      this.ready = true;
    } catch (raised) {
      if (mine !== this.#generation) return;
      this.rows = [];
      this.total = 0;
      this.ready = true;
      this.error = raised as AppError;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }

  /** Whether rows beyond those loaded match the filter. */
  get more(): boolean {
    return this.rows.length < this.total;
  }

  /** Loads the next page, unless one is loading, all are in, or the last one failed (a new
   * `load` tries again). */
  async next(): Promise<void> {
    if (this.loading || !this.ready || !this.more || this.error) return;
    const mine = this.#generation;
    this.loading = true;
    try {
      const page = await ipc.driftFindings({ ...this.filter, offset: this.rows.length, limit: this.#pageSize });
      if (mine !== this.#generation) return;
      this.rows = [...this.rows, ...page.rows];
      this.total = page.total;
    } catch (raised) {
      if (mine === this.#generation) this.error = raised as AppError;
    } finally {
      if (mine === this.#generation) this.loading = false;
    }
  }
}
