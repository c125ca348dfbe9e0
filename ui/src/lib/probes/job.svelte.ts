// The probe run under way (see ../ui/job.svelte.ts for why it lives in a module). One probe
// runs at a time; its progress reports name it, so reports of another (a scheduled run) are
// not shown as this one's.
import { ipc, type ProbeProgress, type ProbeRunView } from '../ipc';
import { cancellableJob, type JobOutcome } from '../ui/job.svelte';

export type Outcome = JobOutcome<ProbeRunView>;

/** The probe the run under way (or the last one) is of. */
export const probing: { name: string | null } = $state({ name: null });

const running = cancellableJob<ProbeProgress, ProbeRunView>({
  start: () => ipc.runProbe(probing.name ?? ''),
  cancel: () => ipc.cancelProbe(),
});

export const job = running.job;
export const runUnderWay = running.underWay;
export const cancelProbe = running.cancel;

/** Runs probe `name`, or joins the run under way (of whichever probe); resolves (never
 * rejects) when it ends. */
export function runProbe(name: string): Promise<Outcome> {
  if (!job.running) probing.name = name;
  return running.start();
}

export function reportProgress(p: ProbeProgress) {
  if (probing.name !== null && p.probe.toLowerCase() === probing.name.toLowerCase()) running.report(p);
}

/** Forgets everything: for tests, which share this module. */
export function forgetJob() {
  running.forget();
  probing.name = null;
}
