// The drift run and the fixes under way (see ../ui/job.svelte.ts for why they live in a
// module).
import { ipc, type AppError, type DriftProgress, type DriftRunView, type FixProgress, type FixReport } from '../ipc';
import { cancellableJob, type JobOutcome } from '../ui/job.svelte';

export type Outcome = JobOutcome<DriftRunView>;

const measuring = cancellableJob<DriftProgress, DriftRunView>({
  start: () => ipc.runDrift(),
  cancel: () => ipc.cancelDrift(),
});

export const job = measuring.job;
export const measureDrift = measuring.start;
export const runUnderWay = measuring.underWay;
export const cancelDrift = measuring.cancel;
export const reportProgress = measuring.report;

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
  measuring.forget();
  applying = null;
  fixing.running = false;
  fixing.progress = null;
  fixing.outcome = null;
}
