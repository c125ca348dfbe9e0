// The Overview and Probes screens on the sandbox company: `steward demo --no-ui` registers and
// syncs all five systems, measures drift, runs the MAP write-back probe once (it loses a
// status: an alert) and scores this quarter's audit, so the real window opens on the four SSOT
// scores with their formulas and the open alerts (Alt+0), and the Probes screen (Alt+9) lists
// the probe with its failed run. Takes the README's screenshot of the Overview.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import { CLI, KEYCHAIN_SERVICE, ROOT, launch, screenshot } from './harness.mjs';

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
  const workspace = join(mkdtempSync(join(tmpdir(), 'steward-e2e-overview-')), 'demo.steward');
  demo = await startDemo(workspace);
  app = await launch({ workspace });
});

after(async () => {
  await app?.stop();
  demo?.child.kill();
});

// textContent throughout: WebDriver's visible text skips what `overflow: hidden` clips.
const text = async (element) => (await element.getProperty('textContent')).replace(/\s+/g, ' ').trim();
const SCORES = '[aria-label="SSOT scores"]';
const ALERTS = 'ul[aria-label="Open alerts"]';
const REQUIREMENTS = ['completeness', 'currency', 'integrity', 'accessibility'];

test('the Overview opens first, on the demo audit’s four scores with their formulas and the open alerts', async () => {
  const { browser } = app;
  await (await browser.$('h1=Overview')).waitForDisplayed({ timeout: 20_000 });
  // Alt+0 comes back to it from another screen.
  await browser.keys(['Alt', '1']);
  await (await browser.$('h1=Systems')).waitForDisplayed({ timeout: 20_000 });
  await browser.keys(['Alt', '0']);
  await (await browser.$('h1=Overview')).waitForDisplayed({ timeout: 20_000 });
  assert.equal(
    await (await browser.$('nav button[aria-current="page"]')).getText(),
    'Overview',
    'the sidebar marks the Overview',
  );

  const scores = await browser.$(SCORES);
  await scores.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await browser.$('[role="alert"]').isExisting(), false, 'no error banner');
  const keys = await browser.$$(`${SCORES} article`).map((card) => card.getAttribute('data-key'));
  assert.deepEqual(keys, REQUIREMENTS);
  for (const key of REQUIREMENTS) {
    const card = await browser.$(`${SCORES} article[data-key="${key}"]`);
    const value = await text(await card.$('.score .value'));
    assert.match(value, /^\d{1,3}(\.\d)?$/, `${key} shows a number (${value})`);
    assert.ok(Number(value) >= 0 && Number(value) <= 100, `${key} is out of 100 (${value})`);
    // The formula of the score, and of each part with its counts.
    assert.match(await text(await card.$('p.formula')), /= 100 × /, `${key} shows its formula`);
    const parts = await card.$$('ul.parts li .formula').map((p) => text(p));
    assert.ok(parts.length >= 1, `${key} lists its parts`);
    for (const part of parts) assert.match(part, /÷ .* = /, `${key}: a part's formula (${part})`);
  }

  // The probe the demo ran lost a status: its alert is open, with what to do.
  const alerts = await browser.$(ALERTS);
  await alerts.waitForDisplayed({ timeout: 20_000 });
  const items = await browser.$$(`${ALERTS} li.alert`);
  assert.ok(items.length >= 1, 'at least one open alert');
  const kinds = await browser.$$(`${ALERTS} li.alert`).map((li) => li.getAttribute('data-kind'));
  assert.ok(kinds.includes('probe_failed'), `the failed probe's alert is open (${kinds.join(', ')})`);
  const first = await text(await browser.$(`${ALERTS} li.alert[data-kind="probe_failed"]`));
  assert.match(first, /MAP write-back/);
  assert.match(first, /Clear/);

  // The trend and the audit pack sit beside the alerts.
  await (await browser.$('figure[aria-label="Scores per quarter"]')).waitForDisplayed();
  await (await browser.$('form[aria-label="Export audit pack"]')).waitForDisplayed();

  const shot = await screenshot(browser, 'overview');
  const docs = join(ROOT, 'docs', 'screenshots');
  mkdirSync(docs, { recursive: true });
  copyFileSync(shot, join(docs, 'overview.png'));
});

test('Alt+9 opens Probes on the MAP write-back probe and its failed run', async () => {
  const { browser } = app;
  await browser.keys(['Alt', '9']);
  await (await browser.$('h1=Probes')).waitForDisplayed({ timeout: 20_000 });
  assert.equal(await (await browser.$('nav button[aria-current="page"]')).getText(), 'Probes');
  const row = await browser.$('[aria-label="Probes"] [data-name="MAP write-back"]');
  await row.waitForDisplayed({ timeout: 20_000 });
  const failed = await row.$('.verdict-failed');
  assert.ok(
    (await failed.isExisting()) || /failed/i.test(await text(row)),
    `the last run failed (${await text(row)})`,
  );
  assert.match(await text(row), /MAP/);
});
