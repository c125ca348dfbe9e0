// The matching run under way. It lives here, not in the screen, so that leaving the
// Duplicates screen and coming back still shows the run, its progress and its outcome,
// instead of offering a second run the backend would refuse.
import { ipc, type AppError, type DuplicatesProgress, type MatchRunView } from '../ipc';
import { advance } from './format';

export type Outcome = { run: MatchRunView } | { error: AppError };

export const job: {
  running: boolean;
  /** Cancel was pressed; the run stops at its next step. */
  cancelling: boolean;
  progress: DuplicatesProgress | null;
  /** How the last run ended, until the user dismisses it. */
  outcome: Outcome | null;
} = $state({ running: false, cancelling: false, progress: null, outcome: null });

let current: Promise<Outcome> | null = null;
/** Whether the backend took the cancel: it answers false when asked before the run has
 * registered itself (a Cancel pressed at once), so the request is repeated on its first report. */
let cancelTaken = false;

/** Starts a run, or joins the one under way; resolves (never rejects) when it ends. */
export function findDuplicates(): Promise<Outcome> {
  if (current) return current;
  job.running = true;
  job.cancelling = false;
  cancelTaken = false;
  job.progress = null;
  job.outcome = null;
  const started: Promise<Outcome> = ipc.findDuplicates().then(
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
export function runUnderWay(): Promise<Outcome> | null {
  return current;
}

/** Asks the run under way to stop; rejects with the backend's error if it cannot be asked. */
export async function cancelDuplicates(): Promise<void> {
  job.cancelling = true;
  try {
    cancelTaken = await ipc.cancelDuplicates();
  } catch (raised) {
    job.cancelling = false;
    throw raised;
  }
}

export function reportProgress(p: DuplicatesProgress) {
  if (!job.running) return;
  job.progress = advance(job.progress, p);
  if (job.cancelling && !cancelTaken) {
    cancelTaken = true;
    ipc.cancelDuplicates().then(
      (taken) => (cancelTaken = taken),
      () => (cancelTaken = false),
    );
  }
}

/** Forgets everything: for tests, which share this module. */
export function forgetJob() {
  current = null;
  cancelTaken = false;
  job.running = false;
  job.cancelling = false;
  job.progress = null;
  job.outcome = null;
}
