// The drift run and the fixes under way. They live here, not in the screen, so that leaving
// the Drift screen and coming back still shows them, their progress and their outcome,
// instead of offering a second run the backend would refuse.
import {
  ipc,
  type AppError,
  type DriftProgress,
  type DriftRunView,
  type FixProgress,
  type FixReport,
} from '../ipc';

export type Outcome = { run: DriftRunView } | { error: AppError };

export const job: {
  running: boolean;
  /** Cancel was pressed; the run stops at its next step. */
  cancelling: boolean;
  progress: DriftProgress | null;
  /** How the last run ended, until the user dismisses it. */
  outcome: Outcome | null;
} = $state({ running: false, cancelling: false, progress: null, outcome: null });

let current: Promise<Outcome> | null = null;
/** Whether the backend took the cancel: it answers false when asked before the run has
 * registered itself, so the request is repeated on the run's first report. */
let cancelTaken = false;

/** Starts a run, or joins the one under way; resolves (never rejects) when it ends. */
export function measureDrift(): Promise<Outcome> {
  if (current) return current;
  job.running = true;
  job.cancelling = false;
  cancelTaken = false;
  job.progress = null;
  job.outcome = null;
  const started: Promise<Outcome> = ipc.runDrift().then(
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
export async function cancelDrift(): Promise<void> {
  job.cancelling = true;
  try {
    cancelTaken = await ipc.cancelDrift();
  } catch (raised) {
    job.cancelling = false;
    throw raised;
  }
}

export function reportProgress(p: DriftProgress) {
  if (!job.running) return;
  job.progress = p;
  if (job.cancelling && !cancelTaken) {
    cancelTaken = true;
    ipc.cancelDrift().then(
      (taken) => (cancelTaken = taken),
      () => (cancelTaken = false),
    );
  }
}

// ---------------------------------------------------------------- fixes

export type FixOutcome = { report: FixReport } | { error: AppError };

export const fixing: {
  running: boolean;
  progress: FixProgress | null;
  /** How the last batch ended, until the user dismisses it. */
  outcome: FixOutcome | null;
} = $state({ running: false, progress: null, outcome: null });

let applying: Promise<FixOutcome> | null = null;

/** Applies the write fixes of these findings of drift run `runId`; resolves (never rejects)
 * when all are done. */
export function applyFixes(runId: number, seqs: number[]): Promise<FixOutcome> {
  if (applying) return applying;
  fixing.running = true;
  fixing.progress = { done: 0, total: seqs.length };
  fixing.outcome = null;
  const started: Promise<FixOutcome> = ipc.applyFixes(runId, seqs).then(
    (report) => ({ report }),
    (error: unknown) => ({ error: error as AppError }),
  );
  applying = started.then((outcome) => {
    fixing.running = false;
    fixing.progress = null;
    fixing.outcome = outcome;
    applying = null;
    return outcome;
  });
  return applying;
}

export function fixesUnderWay(): Promise<FixOutcome> | null {
  return applying;
}

export function reportFixProgress(p: FixProgress) {
  if (fixing.running) fixing.progress = p;
}

/** Forgets everything: for tests, which share this module. */
export function forgetJobs() {
  current = null;
  cancelTaken = false;
  job.running = false;
  job.cancelling = false;
  job.progress = null;
  job.outcome = null;
  applying = null;
  fixing.running = false;
  fixing.progress = null;
  fixing.outcome = null;
}
