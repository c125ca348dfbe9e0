// The Merge screen on the sandbox company: `steward demo --no-ui` registers and syncs all five
// systems, finds the duplicates and builds the merge proposals, so the real window opens (Alt+8)
// on a queue of pending proposals: it lists them strongest first, moves through them by
// keyboard, opens one with its golden record, and approves one that needs a single approver.
// Nothing is merged. Takes the README's screenshot.
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
  const workspace = join(mkdtempSync(join(tmpdir(), 'steward-e2e-merge-')), 'demo.steward');
  demo = await startDemo(workspace);
  app = await launch({ workspace });
});

after(async () => {
  await app?.stop();
  demo?.child.kill();
});

// textContent throughout: WebDriver's visible text skips what `overflow: hidden` clips.
const text = async (element) => (await element.getProperty('textContent')).replace(/\s+/g, ' ').trim();
const LIST = '[aria-label="Merge proposals"]';
const PANE = '[aria-label="Proposal detail"]';
const GOLDEN = `${PANE} table[aria-label="Golden record"]`;
/** "1,234" in whatever grouping the webview's locale uses. */
const number = (s) => Number(s.replace(/[^\d]/g, ''));
/** The id of the row the keyboard is on, or null. */
const cursorId = async (browser) => {
  const row = await browser.$(`${LIST} .proposal-row[aria-current="true"]`);
  return (await row.isExisting()) ? row.getAttribute('data-id') : null;
};
/** The id of the proposal open in the detail pane, or null. */
const openId = async (browser) => {
  const pane = await browser.$(`${PANE} .proposal`);
  return (await pane.isExisting()) ? pane.getAttribute('data-id') : null;
};
/** The count on a state's chip. */
const stateCount = async (browser, state) =>
  number(await text(await browser.$(`[aria-label="States"] button[data-state="${state}"] .n`)));

const RULES = ['Authority', 'Last touch', 'Earliest touch', 'Survivor’s', 'Only value', 'Set by reviewer'];

test('Alt+8 opens the merge queue on the demo’s proposals, and one opens with its golden record', async () => {
  const { browser } = app;
  await (await browser.$('h1=Overview')).waitForDisplayed({ timeout: 20_000 });
  await browser.keys(['Alt', '8']);
  await (await browser.$('h1=Merge queue')).waitForDisplayed({ timeout: 20_000 });
  const list = await browser.$(LIST);
  await list.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner');
  assert.equal(
    await (await browser.$('nav button[aria-current="page"]')).getText(),
    'Merge',
    'the sidebar marks the Merge screen',
  );

  // The demo built its proposals from the seeded duplicate clusters; none is decided yet.
  const pending = await stateCount(browser, 'pending');
  assert.ok(pending >= 50, `pending proposals (${pending})`);
  assert.equal(await stateCount(browser, 'approved'), 0);
  assert.equal(number(await text(await browser.$('.toolbar .count'))), pending);
  assert.match(await text(await browser.$('[aria-label="Two-person rule"]')), /Two approvers for a proposal with/);
  assert.equal(await (await browser.$('button*=Merge approved')).getText(), 'Merge approved (0)');

  // A window of rows is rendered, strongest first: score, state, size, approvals.
  const rows = await browser.$$(`${LIST} .proposal-row`);
  assert.ok(rows.length > 5 && rows.length < 100, `a window of rows is rendered, not all (${rows.length})`);
  const scores = [];
  for (const row of rows.slice(0, 5)) {
    assert.equal(await row.getAttribute('data-state'), 'pending');
    scores.push(Number((await text(await row.$('.score'))).replace('%', '')));
    assert.match(await text(await row.$('.approvals')), /^0 of [12]$/);
    assert.ok(Number(await text(await row.$('.size'))) >= 2, 'two or more CRM records');
  }
  assert.deepEqual([...scores].sort((a, b) => b - a), scores, `strongest first (${scores})`);

  // The weakest are at the end of the list: the two-person rule asks two approvers of them.
  await browser.keys(['End']);
  await browser.waitUntil(async () => {
    const row = await browser.$(`${LIST} .proposal-row[aria-current="true"]`);
    return (await row.isExisting()) && (await row.getAttribute('data-need')) === '2';
  }, { timeout: 10_000, timeoutMsg: 'the weakest proposal does not need two approvers' });
  assert.equal(await text(await browser.$(`${LIST} .proposal-row[aria-current="true"] .approvals`)), '0 of 2');

  // Back to the strongest; j moves down, Enter opens it.
  await browser.keys(['Home']);
  await browser.keys(['j']);
  const second = await cursorId(browser);
  assert.equal(second, await (await browser.$$(`${LIST} .proposal-row`))[1].getAttribute('data-id'));
  await browser.keys(['k']);
  const first = await cursorId(browser);
  assert.notEqual(first, second);
  await browser.keys(['Enter']);
  await browser.waitUntil(async () => (await openId(browser)) === first, {
    timeout: 10_000,
    timeoutMsg: 'Enter did not open the proposal',
  });

  // Its golden record: a row per field the hub maps, each with its rule and whether it is written.
  const golden = await browser.$(GOLDEN);
  await golden.waitForDisplayed({ timeout: 10_000 });
  const fields = await golden.$$('tbody tr[data-key]');
  assert.ok(fields.length >= 5, `a row per canonical field (${fields.length})`);
  for (const field of fields) {
    assert.ok(RULES.includes(await text(await field.$('[data-cell="rule"]'))), 'a rule in words');
    assert.match(await text(await field.$('[data-cell="written"]')), /^(✎)?(written|kept)$/);
  }
  const pane = await browser.$(PANE);
  const detail = await text(pane);
  assert.match(detail, /0 of 1/);
  assert.match(detail, /No approval yet: one is enough\./);
  assert.match(detail, /Records/);
  assert.match(detail, /Survivor/);
  assert.match(detail, /Merged into it/);
  assert.match(detail, /Nothing sent to .* yet\./);

  // The values each record holds open under a field.
  const held = await golden.$('button[aria-label^="Values held for"]');
  await held.click();
  await (await golden.$('table[aria-label^="Values held for"]')).waitForDisplayed({ timeout: 5_000 });
  assert.match(await text(await golden.$('table[aria-label^="Values held for"]')), /✓ chosen/);
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner');
  // The golden record fits its pane, and the screen the window: nothing scrolls sideways.
  const overflow = await browser.execute((pane) => {
    const sideways = (e) => (e ? e.scrollWidth - e.clientWidth : -1);
    return [sideways(document.querySelector(pane)), sideways(document.querySelector('main.content'))];
  }, PANE);
  assert.deepEqual(overflow, [0, 0], `sideways overflow of the pane and the screen (${overflow})`);
  await screenshot(browser, 'merge');

  await browser.keys(['Escape']);
  await browser.waitUntil(async () => (await openId(browser)) === null, { timeout: 5_000 });
});

test('approving a proposal that needs one approver turns it approved', async () => {
  const { browser } = app;
  // The strongest single-approver proposals come first; take the first one with nothing to decide.
  const candidates = await browser.$$(`${LIST} .proposal-row[data-need="1"][data-state="pending"]`);
  assert.ok(candidates.length > 0, 'a pending proposal one approver is enough for');
  let chosen = null;
  for (const row of candidates.slice(0, 5)) {
    const id = await row.getAttribute('data-id');
    await (await row.$('.row-main')).click();
    await browser.waitUntil(async () => (await openId(browser)) === id, { timeout: 10_000 });
    const approve = await (await browser.$(PANE)).$('button=Approve');
    await approve.waitForExist({ timeout: 5_000 });
    if (await approve.isEnabled()) {
      chosen = id;
      break;
    }
  }
  assert.ok(chosen, 'one of the strongest proposals can be approved');
  await (await (await browser.$(PANE)).$('button=Approve')).click();

  await browser.waitUntil(async () => (await (await browser.$(`${PANE} .proposal`)).getAttribute('data-state')) === 'approved', {
    timeout: 10_000,
    timeoutMsg: 'the proposal did not turn approved',
  });
  assert.match(await text(await browser.$('[aria-label="Decision"]')), new RegExp(`Approved #${chosen}\\.`));
  assert.equal(await (await browser.$(`${LIST} .proposal-row[data-id="${chosen}"]`)).getAttribute('data-state'), 'approved');
  assert.equal(await text(await browser.$(`${LIST} .proposal-row[data-id="${chosen}"] .approvals`)), '1 of 1');
  assert.equal(await stateCount(browser, 'approved'), 1);
  assert.equal(await (await browser.$('button*=Merge approved')).getText(), 'Merge approved (1)');
  assert.match(await text(await browser.$(PANE)), /1 of 1 approvals: \S+ \(you\)\./);
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner');
});
