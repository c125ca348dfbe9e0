import { describe, expect, it } from 'vitest';
import {
  EMPTY_PROBE,
  formatMs,
  latencyData,
  legCell,
  legKeys,
  legLabel,
  parseStatuses,
  phaseLine,
  phaseShare,
  probeProblem,
  runSummary,
  scheduleText,
  secondsText,
  toRequest,
  verdictLabel,
} from './format';
import { history, leg, probe, probeRun } from './fixtures';

describe('words and numbers', () => {
  it('writes latencies, targets and schedules', () => {
    expect(formatMs(850)).toBe('850 ms');
    expect(formatMs(2400)).toBe('2.4 s');
    expect(formatMs(124_400)).toBe('124 s');
    expect(secondsText(5000)).toBe('5 s');
    expect(secondsText(2500)).toBe('2.5 s');
    expect(scheduleText(null)).toBe('manual');
    expect(scheduleText(15)).toBe('every 15 min');
    expect(scheduleText(60)).toBe('hourly');
    expect(scheduleText(180)).toBe('every 3 h');
    expect(scheduleText(1440)).toBe('daily');
    expect(verdictLabel('slow')).toBe('Slow');
    expect(verdictLabel(null)).toBe('Never run');
  });

  it('names legs and fills their cells', () => {
    expect(legKeys(probe(), [])).toEqual(['inbound', 'outbound:Working', 'outbound:Qualified']);
    // A status an older run sent, no longer in the definition, still gets its column.
    const older = probeRun({ legs: [leg(), leg({ leg: 'outbound', status: 'Nurture', ms: 10 })] });
    expect(legKeys(probe(), [older])).toEqual(['inbound', 'outbound:Working', 'outbound:Qualified', 'outbound:Nurture']);
    expect(legLabel('inbound')).toBe('Inbound');
    expect(legLabel('outbound:Qualified')).toBe('→ Qualified');
    expect(legCell(leg({ ms: 900 }))).toEqual({ text: '900 ms', state: 'ok', detail: null });
    expect(legCell(leg({ ms: 7500, withinTarget: false })).state).toBe('slow');
    expect(legCell(leg({ ms: null, arrived: false, withinTarget: false, detail: 'never arrived' }))).toEqual({
      text: 'lost',
      state: 'lost',
      detail: 'never arrived',
    });
    expect(legCell(undefined).state).toBe('none');
    expect(runSummary(history()[0]!, 5000)).toBe('2 of 3 legs within 5 s, 1 lost');
    expect(runSummary(probeRun({ legs: [], verdict: 'failed', error: 'MAP: 401 Unauthorized' }), 5000)).toBe('MAP: 401 Unauthorized');
  });
});

describe('progress', () => {
  const p = probe();
  it('says which leg is awaited where', () => {
    expect(phaseLine({ probe: 'MAP status', phase: 'creating', leg: 0, legs: 3 }, p)).toBe('Creating the test lead in MAP');
    expect(phaseLine({ probe: 'MAP status', phase: 'inbound', leg: 1, legs: 3 }, p)).toBe(
      'Leg 1 of 3: waiting for the test lead in HubSpot',
    );
    expect(phaseLine({ probe: 'MAP status', phase: 'outbound', leg: 3, legs: 3 }, p)).toBe(
      'Leg 3 of 3: Qualified sent, waiting for it in MAP',
    );
    expect(phaseLine({ probe: 'MAP status', phase: 'cleanup', leg: 0, legs: 0 }, p)).toBe(
      'Removing the test records from both systems',
    );
  });

  it('fills the bar by legs done; cleaning up is indeterminate', () => {
    expect(phaseShare({ probe: 'x', phase: 'creating', leg: 0, legs: 3 })).toBe(0);
    expect(phaseShare({ probe: 'x', phase: 'outbound', leg: 3, legs: 3 })).toBeCloseTo(2 / 3);
    expect(phaseShare({ probe: 'x', phase: 'cleanup', leg: 0, legs: 0 })).toBeNull();
    expect(phaseShare({ probe: 'x', phase: 'done', leg: 0, legs: 0 })).toBe(1);
  });
});

describe('the add-probe form', () => {
  const filled = { ...EMPTY_PROBE, name: ' MAP status ', spoke: 'MAP', statusValues: 'Working, Qualified ,,', targetSeconds: '5', timeoutSeconds: '60' };

  it('splits the statuses and builds the request', () => {
    expect(parseStatuses(' a, b ,, c')).toEqual(['a', 'b', 'c']);
    expect(probeProblem(filled)).toBeNull();
    expect(toRequest(filled)).toEqual({
      name: 'MAP status',
      spoke: 'MAP',
      matchKey: 'email',
      statusField: 'lead_status',
      statusValues: ['Working', 'Qualified'],
      targetSeconds: 5,
      timeoutSeconds: 60,
      everyMinutes: null,
    });
    expect(toRequest({ ...filled, everyMinutes: '30' }).everyMinutes).toBe(30);
  });

  it('says what is missing or out of range before asking the backend', () => {
    expect(probeProblem({ ...filled, name: '' })).toMatch(/Name/);
    expect(probeProblem({ ...filled, spoke: '' })).toMatch(/spoke/);
    expect(probeProblem({ ...filled, statusValues: ' , ' })).toMatch(/at least one status/);
    expect(probeProblem({ ...filled, targetSeconds: '0' })).toMatch(/Target/);
    expect(probeProblem({ ...filled, timeoutSeconds: '2' })).toMatch(/at least the target/);
    expect(probeProblem({ ...filled, everyMinutes: '2' })).toMatch(/from 5/);
  });
});

describe('latencyData', () => {
  it('draws one series per leg, oldest run first, in seconds', () => {
    const data = latencyData(probe(), history());
    expect(data.xs).toEqual([
      Date.UTC(2026, 10, 20, 10) / 1000,
      Date.UTC(2026, 10, 21, 10) / 1000,
      Date.UTC(2026, 10, 22, 10) / 1000,
    ]);
    expect(data.runs.map((r) => r.id)).toEqual([1, 2, 3]);
    expect(data.series.map((s) => s.label)).toEqual(['Inbound', '→ Working', '→ Qualified']);
    expect(data.series[0]?.seconds).toEqual([1.2, 1.1, 0.9]);
    expect(data.series[1]?.seconds).toEqual([2.4, 7.5, 2]);
    // A lost leg leaves a gap in its line and a mark at the timeout.
    expect(data.series[2]?.seconds).toEqual([3.1, 3, null]);
    expect(data.series[2]?.lost).toEqual([null, null, 60]);
    expect(data.series[0]?.lost).toEqual([null, null, null]);
    expect(data.targetSeconds).toBe(5);
    expect(data.timeoutSeconds).toBe(60);
    // The scale reaches the timeout when a leg was lost, so its mark is drawn.
    expect(data.top).toBe(60);
  });

  it('leaves out runs that timed nothing, and tops the scale at the slowest leg or the target', () => {
    const runs = [
      probeRun({ id: 5, verdict: 'cancelled', legs: [], error: 'the probe was cancelled' }),
      probeRun({ id: 4, legs: [leg({ ms: 800 })] }),
    ];
    const data = latencyData(probe(), runs);
    expect(data.runs.map((r) => r.id)).toEqual([4]);
    // The statuses were never sent in the runs drawn: no line for them.
    expect(data.series.map((s) => s.key)).toEqual(['inbound']);
    expect(data.top).toBe(5);
    expect(latencyData(probe(), []).xs).toEqual([]);
  });
});
