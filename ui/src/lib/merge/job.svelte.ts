// The merge run under way (see ../ui/job.svelte.ts for why it lives in a module): leaving the
// Merge screen and coming back still shows its progress, and never offers a second run the
// backend would refuse.
import { ipc, type ExecuteReport, type MergeProgress } from '../ipc';
import { cancellableJob, type JobOutcome } from '../ui/job.svelte';

export type Outcome = JobOutcome<ExecuteReport>;

const merging = cancellableJob<MergeProgress, ExecuteReport>({
  // Every approved proposal; interrupted ones are finished first.
  start: () => ipc.executeMerges({ ids: [], limit: null }),
  cancel: () => ipc.cancelMerges(),
});

export const job = merging.job;
export const mergeApproved = merging.start;
export const mergesUnderWay = merging.underWay;
export const cancelMerges = merging.cancel;
export const reportProgress = merging.report;
export const forgetJob = merging.forget;
