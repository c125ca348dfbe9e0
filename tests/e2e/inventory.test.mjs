// The Inventory screen on the sandbox company: `steward demo --no-ui` registers and syncs
// all five systems (tokens in the keychain), then the real window shows what each holds,
// the CSV's bad rows, and a sync with its progress bar. Takes the README's screenshot.
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
  const workspace = join(mkdtempSync(join(tmpdir(), 'steward-e2e-demo-')), 'demo.steward');
  demo = await startDemo(workspace);
  app = await launch({ workspace });
});

after(async () => {
  await app?.stop();
  demo?.child.kill();
});

const row = (browser, name) => browser.$(`//table[@aria-label="Systems inventory"]//tr[.//span[normalize-space()="${name}"]]`);

test('Inventory shows every sandbox system with records, fill rates and the CSV bad rows', async () => {
  const { browser } = app;
  await (await browser.$('button=Inventory')).click();
  const table = await browser.$('table[aria-label="Systems inventory"]');
  await table.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await browser.$$('table[aria-label="Systems inventory"] tbody tr').length, 5);

  const hub = await (await row(browser, 'HubSpot (sandbox)')).getText();
  assert.match(hub, /hub/);
  assert.match(hub, /succeeded/);
  assert.match(hub, /\d[,.\u00a0]?\d{3}/, 'thousands of CRM records');

  const events = await row(browser, 'Events sheet');
  assert.match(await events.getText(), /partial/, 'the bad rows make the sync partial');
  await (await events.$('span.name')).click();
  const problems = await browser.$('[aria-label="Sync problems"]');
  await problems.waitForDisplayed();
  // textContent: WebDriver's visible text skips cells clipped by `overflow: hidden`.
  const listed = await problems.getProperty('textContent');
  assert.match(listed, /line \d+/);
  assert.match(listed, /wrong number of columns|unparseable date|no name and no email/);

  await (await (await row(browser, 'HubSpot (sandbox)')).$('span.name')).click();
  const fields = await browser.$('table[aria-label="person fields of HubSpot (sandbox)"]');
  await fields.waitForDisplayed();
  const shown = await fields.getProperty('textContent');
  assert.match(shown, /email/);
  assert.match(shown, /\d+%/);
  await screenshot(browser, 'inventory');
});

test('Sync all re-reads every system and reports each one', async () => {
  const { browser } = app;
  await (await browser.$('button=Sync all')).click();
  const status = await browser.$('.notice');
  await status.waitForDisplayed({ timeout: 120_000 });
  const text = await status.getText();
  assert.match(text, /HubSpot \(sandbox\): succeeded/);
  assert.match(text, /Marketing platform \(sandbox\): succeeded/);
  assert.match(text, /Customer portal: succeeded/);
});
