// The Drift screen on the sandbox company: `steward demo --no-ui` registers and syncs all five
// systems, accepts the suggested rules and measures drift, so the real window opens on
// findings of every kind: it shows their totals by kind and system, filters to one kind,
// opens a finding with its evidence and moves through the list by keyboard. Takes the
// README's screenshot. Then the Rules and Erasures screens open on the same workspace.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { CLI, KEYCHAIN_SERVICE, launch, screenshot } from './harness.mjs';

let app;
let demo;

/** Starts the sandbox and a synced demo workspace; resolves once the demo prints its line. */
function startDemo(workspace) {
  const child = spawn(CLI, ['demo', '--no-ui', '--workspace', workspace, '--port', '0', '--size', '2000'], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, STEWARD_KEYCHAIN_SERVICE: KEYCHAIN_SERVICE },
  });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`steward demo exited with ${code}`)));
    createInterface({ input: child.stdout }).once('line', (line) => resolve({ child, line: JSON.parse(line) }));
  });
}

before(async () => {
  const workspace = join(mkdtempSync(join(tmpdir(), 'steward-e2e-drift-')), 'demo.steward');
  demo = await startDemo(workspace);
  app = await launch({ workspace });
});

after(async () => {
  await app?.stop();
  demo?.child.kill();
});

// textContent throughout: WebDriver's visible text skips what `overflow: hidden` clips.
const text = async (element) => (await element.getProperty('textContent')).replace(/\s+/g, ' ').trim();
const LIST = '[aria-label="Drift findings"]';
const MATRIX = 'table[aria-label="Findings by kind and system"]';
/** The text of the first element matching `selector`, or '' while there is none. */
const textOf = async (selector) => {
  const element = await app.browser.$(selector);
  return (await element.isExisting()) ? text(element) : '';
};
/** "1,234" in whatever grouping the webview's locale uses. */
const number = (s) => Number(s.replace(/[^\d]/g, ''));
/** The kinds of the rows rendered in the list. */
const rowKinds = async (browser) => browser.$$(`${LIST} .finding-row`).map((row) => row.getAttribute('data-kind'));
/** The seq of the finding open in the detail pane, or null. */
const openSeq = async (browser) => {
  const pane = await browser.$('[aria-label="Finding detail"] .finding');
  return (await pane.isExisting()) ? pane.getAttribute('data-seq') : null;
};

const KINDS = [
  'stale',
  'divergent',
  'conflicting_write',
  'missing_in_hub',
  'orphan',
  'erasure_not_propagated',
  'count_mismatch',
];

test('the Drift screen shows the demo’s findings of every kind and the evidence of one', async () => {
  const { browser } = app;
  await (await browser.$('button=Drift')).click();
  await (await browser.$('h1=Drift')).waitForDisplayed({ timeout: 20_000 });
  const matrix = await browser.$(MATRIX);
  await matrix.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner');

  // Measure again, so the trend has two runs to draw between.
  await (await browser.$('button=Measure drift')).click();
  await browser.waitUntil(async () => /^Found /.test(await textOf('.notice')), {
    timeout: 120_000,
    timeoutMsg: 'the run did not end',
  });
  assert.match(await textOf('.notice'), /Found \S+ findings over \S+ records \(\S+ linked to the hub\)/);
  await (await browser.$('.notice button[aria-label="Dismiss"]')).click();
  await (await browser.$('[aria-label="Findings per kind across runs"] .plot')).waitForDisplayed({ timeout: 10_000 });

  const facts = await text(await browser.$('[aria-label="Last run"]'));
  assert.match(facts, /records/);
  assert.match(facts, /linked to the hub/);
  assert.match(facts, /findings?/);
  assert.match(facts, /rules v\d+/);

  // Totals by kind, over every system: the sandbox seeds each kind of drift.
  const totals = {};
  for (const kind of KINDS) {
    const cell = await matrix.$(`tfoot td.kind-total[data-kind="${kind}"]`);
    totals[kind] = Number(await cell.getAttribute('data-count'));
    assert.ok(totals[kind] > 0, `${kind}: expected findings, got ${totals[kind]}`);
  }
  const systems = await matrix.$$('tbody tr[data-system]');
  assert.ok(systems.length >= 2, `a row per system with findings (${systems.length})`);
  assert.ok((await browser.$$('[aria-label="Segment counts"] .count')).length >= 2, 'segment counts, hub and others');

  await (await browser.$(LIST)).waitForDisplayed({ timeout: 20_000 });
  const rows = await browser.$$(`${LIST} .finding-row`);
  assert.ok(rows.length > 5 && rows.length < 100, `a window of rows is rendered, not all (${rows.length})`);
  const count = await text(await browser.$('.filters .count'));
  assert.match(count, /findings/);

  // A kind's total filters the list to that kind.
  await (await matrix.$('tfoot td.kind-total[data-kind="stale"] button')).click();
  await browser.waitUntil(async () => {
    const kinds = await rowKinds(browser);
    return kinds.length > 0 && kinds.every((k) => k === 'stale');
  }, { timeout: 10_000, timeoutMsg: 'the list was not filtered to stale findings' });
  assert.equal(number(await text(await browser.$('.filters .count'))), totals.stale);
  assert.equal(await (await browser.$('select[aria-label="Kind"]')).getValue(), 'stale');

  // Open a stale finding: what it means, both values, and how it was judged.
  const first = await browser.$(`${LIST} .finding-row`);
  const seq = await first.getAttribute('data-seq');
  await (await first.$('.row-main')).click();
  await browser.waitUntil(async () => (await openSeq(browser)) === seq, {
    timeout: 10_000,
    timeoutMsg: 'the finding did not open',
  });
  const pane = await browser.$('[aria-label="Finding detail"]');
  const evidence = await text(pane);
  assert.match(evidence, /Stale/);
  assert.match(evidence, /still holds a value the authority had before/);
  assert.match(evidence, /This copy/);
  assert.match(evidence, /Hub/);
  assert.match(evidence, /Linked by/);
  assert.match(evidence, /Reason .*[a-z]+_[a-z_]+/);
  assert.match(evidence, /Suggested fix/);

  // The keyboard moves the cursor and Enter opens the next finding; Escape closes it.
  await browser.keys(['j']);
  const cursor = await browser.$(`${LIST} .finding-row[aria-current="true"]`);
  const next = await cursor.getAttribute('data-seq');
  assert.notEqual(next, seq);
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await openSeq(browser)) === next, {
    timeout: 10_000,
    timeoutMsg: 'Enter did not open the next finding',
  });
  await browser.keys(['Escape']);
  await browser.waitUntil(async () => (await openSeq(browser)) === null, { timeout: 5_000 });

  // A segment count differing from the hub's lists the count mismatches.
  const differs = await browser.$('[aria-label="Segment counts"] button.count.differs');
  if (await differs.isExisting()) {
    await differs.click();
    await browser.waitUntil(async () => {
      const kinds = await rowKinds(browser);
      return kinds.length > 0 && kinds.every((k) => k === 'count_mismatch');
    }, { timeout: 10_000, timeoutMsg: 'the list was not filtered to count mismatches' });
    await (await browser.$(`${LIST} .finding-row .row-main`)).click();
    await (await browser.$('[aria-label="Finding detail"] .finding')).waitForDisplayed();
    assert.match(await text(pane), /Hub counts\s*\d/);
  }

  // Clearing the filters lists every finding again.
  await (await browser.$('button=Clear filters')).click();
  await browser.waitUntil(async () => number(await text(await browser.$('.filters .count'))) > totals.stale, {
    timeout: 10_000,
    timeoutMsg: 'the filters were not cleared',
  });

  // The README's picture: the conflicting writes, one open with the value it overwrote.
  await (await matrix.$('tfoot td.kind-total[data-kind="conflicting_write"] button')).click();
  await browser.waitUntil(async () => (await rowKinds(browser))[0] === 'conflicting_write', { timeout: 10_000 });
  await (await browser.$(`${LIST} .finding-row .row-main`)).click();
  await (await browser.$('[aria-label="Finding detail"] .finding')).waitForDisplayed();
  const conflict = await text(pane);
  assert.match(conflict, /An integration overwrote a field the hub owns/);
  assert.match(conflict, /Overwritten value/);
  await screenshot(browser, 'drift');
});

test('the Rules and Erasures screens open without an error', async () => {
  const { browser } = app;
  await (await browser.$('button=Rules')).click();
  await (await browser.$('h1=Rules')).waitForDisplayed({ timeout: 10_000 });
  const authority = await browser.$('table[aria-label="Field authority"]');
  await authority.waitForDisplayed({ timeout: 20_000 });
  assert.ok((await authority.$$('tbody tr')).length > 5, 'a row per canonical field');
  assert.match(await textOf('.subtitle'), /Version \d+ in force/, 'the demo saved the rules');
  await (await browser.$('#rules-tab-mapping')).click();
  await (await browser.$('table[aria-label^="Field mapping of"]')).waitForDisplayed();
  await (await browser.$('#rules-tab-history')).click();
  await (await browser.$('[aria-label="Rule versions"]')).waitForDisplayed();
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner on Rules');
  await (await browser.$('#rules-tab-status')).click();
  await screenshot(browser, 'rules');

  await (await browser.$('button=Erasures')).click();
  await (await browser.$('h1=Erasures')).waitForDisplayed({ timeout: 10_000 });
  const empty = await browser.$('strong=No erasure requests.');
  const requests = await browser.$('[aria-label="Erasure requests"]');
  await browser.waitUntil(async () => (await empty.isDisplayed()) || (await requests.isDisplayed()), {
    timeout: 20_000,
    timeoutMsg: 'neither the requests nor the empty state were shown',
  });
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner on Erasures');
  await screenshot(browser, 'erasures');
});
