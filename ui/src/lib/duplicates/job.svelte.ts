// The matching run under way (see ../ui/job.svelte.ts for why it lives in a module).
import { ipc, type DuplicatesProgress, type MatchRunView } from '../ipc';
import { cancellableJob, type JobOutcome } from '../ui/job.svelte';
import { advance } from './format';

export type Outcome = JobOutcome<MatchRunView>;

const matching = cancellableJob<DuplicatesProgress, MatchRunView>({
  start: () => ipc.findDuplicates(),
  cancel: () => ipc.cancelDuplicates(),
  advance,
});

export const job = matching.job;
export const findDuplicates = matching.start;
export const runUnderWay = matching.underWay;
export const cancelDuplicates = matching.cancel;
export const reportProgress = matching.report;
export const forgetJob = matching.forget;
