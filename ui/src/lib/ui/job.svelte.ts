// A long backend job that can be cancelled (matching, drift). Its state lives in a module,
// not in a screen, so that leaving the screen and coming back still shows the run, its
// progress and its outcome, instead of offering a second run the backend would refuse.
import type { AppError } from '../ipc';

export type JobOutcome<R> = { run: R } | { error: AppError };

export type JobState<P, R> = {
  running: boolean;
  /** Cancel was pressed; the run stops at its next step. */
  cancelling: boolean;
  progress: P | null;
  /** How the last run ended, until the user dismisses it. */
  outcome: JobOutcome<R> | null;
};

export function cancellableJob<P, R>(backend: {
  start: () => Promise<R>;
  /** Resolves whether the backend took the request. */
  cancel: () => Promise<boolean>;
  /** Folds a progress report into the last one (default: the newest wins). */
  advance?: (previous: P | null, next: P) => P;
}) {
  const job: JobState<P, R> = $state({ running: false, cancelling: false, progress: null, outcome: null });
  let current: Promise<JobOutcome<R>> | null = null;
  /** Whether the backend took the cancel: it answers false when asked before the run has
   * registered itself (a Cancel pressed at once), so the request is repeated on its first report. */
  let cancelTaken = false;

  /** Starts a run, or joins the one under way; resolves (never rejects) when it ends. */
  function start(): Promise<JobOutcome<R>> {
    if (current) return current;
    job.running = true;
    job.cancelling = false;
    cancelTaken = false;
    job.progress = null;
    job.outcome = null;
    const started: Promise<JobOutcome<R>> = backend.start().then(
      (run) => ({ run }),
      (error: unknown) => ({ error: error as AppError }),
    );
    current = started.then((outcome) => {
      job.running = false;
      job.cancelling = false;
      job.progress = null;
      job.outcome = outcome;
      current = null;
      return outcome;
    });
    return current;
  }

  /** The run under way, if any, to wait for. */
  function underWay(): Promise<JobOutcome<R>> | null {
    return current;
  }

  /** Asks the run under way to stop; rejects with the backend's error if it cannot be asked. */
  async function cancel(): Promise<void> {
    job.cancelling = true;
    try {
      cancelTaken = await backend.cancel();
    } catch (raised) {
      job.cancelling = false;
      throw raised;
    }
  }

  function report(p: P) {
    if (!job.running) return;
    job.progress = backend.advance ? backend.advance(job.progress, p) : p;
    if (job.cancelling && !cancelTaken) {
      cancelTaken = true;
      backend.cancel().then(
        (taken) => (cancelTaken = taken),
        () => (cancelTaken = false),
      );
    }
  }

  /** Forgets everything: for tests, which share the module. */
  function forget() {
    current = null;
    cancelTaken = false;
    job.running = false;
    job.cancelling = false;
    job.progress = null;
    job.outcome = null;
  }

  return { job, start, underWay, cancel, report, forget };
}
