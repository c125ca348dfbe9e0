import { describe, expect, it } from 'vitest';
import {
  allCount,
  approvalLine,
  approvalsOf,
  approveBlocker,
  countLine,
  decisionLine,
  executeSummary,
  ids,
  parseScore,
  policyLine,
  policyProblem,
  proposeLine,
  restoreLine,
  ruleExplain,
  ruleLabel,
  sourceText,
  stageLine,
  stageShare,
  stateLabel,
  valueText,
  writtenText,
} from './format';
import { golden, summary } from './fixtures';
import type { ExecuteReport } from '../ipc';

describe('approvals under the two-person rule', () => {
  it('counts one approver unless the proposal says why it needs two', () => {
    expect(approvalsOf(summary()).text).toBe('0 of 1');
    expect(approvalsOf(summary({ approvals: ['dana'], state: 'approved' }))).toMatchObject({
      have: 1,
      need: 1,
      text: '1 of 1',
      waiting: false,
    });
    const first = approvalsOf(summary({ approvals: ['dana'], secondReason: '3 records (clusters of 3 or more need two approvers)' }));
    expect(first).toMatchObject({ have: 1, need: 2, text: '1 of 2', waiting: true });
    expect(approvalsOf(summary({ approvals: ['dana', 'lee'], secondReason: 'x', state: 'approved' })).waiting).toBe(false);
  });

  it('names the approvers, marks the user’s own, and says what is missing', () => {
    const two = summary({ approvals: ['dana'], secondReason: 'score 0.85 (below 0.90 needs two approvers)' });
    expect(approvalLine(two, 'dana')).toBe('1 of 2 approvals: dana (you). Waiting for someone else to approve it too.');
    expect(approvalLine(two, 'lee')).toBe('1 of 2 approvals: dana. A second, different person must approve it.');
    expect(approvalLine(summary({ secondReason: 'x' }), null)).toBe('No approval yet: it needs two different approvers.');
    expect(approvalLine(summary(), null)).toBe('No approval yet: one is enough.');
    expect(approvalLine(summary({ state: 'approved', approvals: ['dana', 'lee'], secondReason: 'x' }), 'lee')).toBe(
      '2 of 2 approvals: dana and lee (you).',
    );
  });

  it('blocks approving what is not pending, has open decisions, or was approved by the same person', () => {
    expect(approveBlocker(summary(), [], 'dana')).toBeNull();
    expect(approveBlocker(summary({ state: 'approved' }), [], 'dana')).toBe('It is approved, not pending.');
    expect(approveBlocker(summary(), ['lead_status'], 'dana')).toBe('Decide lead_status first: set its value with Edit.');
    expect(approveBlocker(summary(), ['lead_status', 'phone'], 'dana')).toContain('set their values');
    expect(approveBlocker(summary({ approvals: ['dana'], secondReason: 'x' }), [], 'dana')).toContain('needs someone else');
    expect(approveBlocker(summary({ approvals: ['dana'], secondReason: 'x' }), [], 'lee')).toBeNull();
  });
});

describe('the two-person rule', () => {
  it('says in words who needs two approvers', () => {
    expect(policyLine({ minSize: 3, belowScore: 0.9 })).toBe(
      'Two approvers for a proposal with 3 or more hub records or a score below 90.0%.',
    );
    expect(policyLine({ minSize: 0, belowScore: 0.8 })).toBe('Two approvers for a proposal with a score below 80.0%.');
    expect(policyLine({ minSize: 4, belowScore: 0 })).toBe('Two approvers for a proposal with 4 or more hub records.');
    expect(policyLine({ minSize: 0, belowScore: 0 })).toBe('One approver is enough for every proposal.');
  });

  it('refuses a rule the backend would refuse, and one without a reason', () => {
    expect(policyProblem(3, 0.9, 'audit asked')).toBeNull();
    expect(policyProblem(0, 0, 'off')).toBeNull();
    expect(policyProblem(1, 0.9, 'x')).toMatch(/1 would ask two people/);
    expect(policyProblem(2.5, 0.9, 'x')).toMatch(/whole number/);
    expect(policyProblem(3, 1.2, 'x')).toMatch(/between 0 and 1/);
    expect(policyProblem(3, 0.9, '  ')).toMatch(/Say why/);
    // An emptied number field.
    expect(policyProblem(null, 0.9, 'x')).toMatch(/whole number/);
    expect(policyProblem(3, null, 'x')).toMatch(/between 0 and 1/);
  });

  it('reads a confidence between 0 and 1 only', () => {
    expect(parseScore('0.95')).toBe(0.95);
    expect(parseScore(0.9)).toBe(0.9);
    expect(parseScore(1)).toBe(1);
    expect(parseScore('')).toBeNull();
    expect(parseScore(null)).toBeNull();
    expect(parseScore('1.5')).toBeNull();
    expect(parseScore(-0.1)).toBeNull();
    expect(parseScore('abc')).toBeNull();
  });
});

describe('the golden record in words', () => {
  it('names every rule the backend uses', () => {
    expect(['authority', 'last_touch', 'earliest_touch', 'survivor', 'only_value', 'override'].map(ruleLabel)).toEqual([
      'Authority',
      'Last touch',
      'Earliest touch',
      'Survivor’s',
      'Only value',
      'Set by reviewer',
    ]);
    expect(ruleExplain('last_touch')).toMatch(/most recently changed/);
    expect(ruleLabel('some_new_rule')).toBe('some new rule');
  });

  it('says where a value comes from and whether it is written', () => {
    expect(sourceText(golden())).toBe('HubSpot 501');
    expect(sourceText(golden({ rule: 'override', sourceSystem: null }))).toBe('reviewer');
    expect(sourceText(golden({ sourceSystem: null, sourceRecord: null, rule: 'only_value' }))).toBe('—');
    expect(writtenText(golden({ written: true }))).toBe('written');
    expect(writtenText(golden({ written: false }))).toBe('kept');
    expect(valueText(null)).toBe('(empty)');
    expect(valueText('')).toBe('(empty)');
  });
});

describe('lists, progress and reports', () => {
  it('counts and states', () => {
    expect(allCount({ pending: 3, approved: 2, done: 5 })).toBe(10);
    expect(countLine(200, 1400)).toBe('200 of 1,400 proposals loaded');
    expect(countLine(12, 12)).toBe('12 proposals');
    expect(countLine(1, 1)).toBe('1 proposal');
    expect(stateLabel('done')).toBe('Merged');
    expect(stateLabel('executing')).toBe('Merging');
    expect(stateLabel('pending')).toBe('Pending');
  });

  it('reads merge progress as stages and a share of merges', () => {
    expect(stageLine({ stage: 'merging', done: 4, total: 12 })).toBe('Merging (2 of 3): 4 / 12 merges');
    expect(stageLine({ stage: 'backing_up', done: 0, total: 1200 })).toBe('Backing up the records (1 of 3): 0 / 1,200 merges');
    expect(stageLine({ stage: 'writing', done: 12, total: 12 })).toMatch(/^Writing the surviving values \(3 of 3\)/);
    expect(stageShare({ stage: 'merging', done: 3, total: 12 })).toBe(0.25);
    expect(stageShare({ stage: 'backing_up', done: 0, total: 0 })).toBeNull();
  });

  it('sums up a merge run, its failures and the proposals sent back', () => {
    const report: ExecuteReport = {
      proposalsDone: 3,
      merges: 4,
      settledAfterCrash: 1,
      failed: [[9, 'HubSpot answered 400']],
      backToPending: [[11, 'record 777 changed in the CRM since it was reviewed']],
      skipped: [[12, 'changed while the run was going (rejected, edited or withdrawn); not merged']],
      released: 0,
      cancelled: false,
      apiCalls: 40,
      seconds: 2.5,
    };
    expect(executeSummary(report)).toBe(
      'Merged 3 proposals (4 merge calls) in 2.5 s, 1 failed, 1 back to pending, 1 skipped (changed during the run), 1 interrupted step settled.',
    );
    expect(executeSummary({ ...report, cancelled: true, failed: [], backToPending: [], skipped: [], released: 2, settledAfterCrash: 0, proposalsDone: 1, merges: 1 })).toBe(
      'Cancelled: merged 1 proposal (1 merge call) in 2.5 s, 2 proposals back in the approved queue.',
    );
  });

  it('says what a decision did, the two-person rule’s first approvals included', () => {
    expect(decisionLine({ approved: [4], awaitingSecond: [], rejected: [], refused: [] })).toBe('Approved #4.');
    expect(decisionLine({ approved: [], awaitingSecond: [5], rejected: [], refused: [] })).toBe(
      '#5: 1 of 2 approvals; it waits for a second, different approver.',
    );
    expect(decisionLine({ approved: [1, 2], awaitingSecond: [3, 4], rejected: [], refused: [] })).toMatch(
      /^Approved #1 and #2\. #3 and #4: 1 of 2 approvals; they wait/,
    );
    expect(decisionLine({ approved: [], awaitingSecond: [], rejected: [6], refused: [] })).toMatch(/^Rejected #6/);
    expect(decisionLine({ approved: [], awaitingSecond: [], rejected: [], refused: [[7, 'decide lead_status first']] })).toBe(
      'Nothing was approved.',
    );
    expect(ids([1, 2, 3, 4, 5, 6])).toBe('6 proposals');
  });

  it('reports a rebuild and a restore', () => {
    expect(proposeLine({ created: 12, withdrawn: 0, alreadyQueued: 40, keptApart: 0, noMerge: 5 })).toBe(
      'Proposals rebuilt: 12 new proposals, 40 clusters already queued, 5 clusters with one CRM record (nothing to merge).',
    );
    expect(proposeLine({ created: 1, withdrawn: 2, alreadyQueued: 0, keptApart: 1, noMerge: 0 })).toBe(
      'Proposals rebuilt: 1 new proposal, 2 withdrawn (their cluster is gone), 1 record kept apart (not duplicates).',
    );
    expect(
      restoreLine({ backupId: 7, proposalId: 1, oldId: '502', newId: '990', leftOut: ['email (held by another record now)'], associations: 2 }),
    ).toBe('Record 502 was recreated as 990 with 2 associations. Left out: email (held by another record now).');
  });
});
