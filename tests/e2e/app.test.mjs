// The real app window, end to end: add systems (one with a token that must land in the
// keychain), see them listed, open Activity, and take the README's screenshots.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { launch, screenshot } from './harness.mjs';

let app;
const TOKEN = `pat-na1-e2e-${process.pid}-SECRET`;

before(async () => {
  app = await launch();
});

after(async () => {
  await app?.stop();
});

async function addSystem(browser, { name, kind, role, location, secret, teams }) {
  await (await browser.$('button=Add system')).click();
  const form = await browser.$('form.add-form');
  await form.waitForDisplayed();
  await (await form.$('input[name="name"]')).setValue(name);
  await (await form.$('select[name="kind"]')).selectByAttribute('value', kind);
  await (await form.$('select[name="role"]')).selectByAttribute('value', role);
  await (await form.$('input[name="location"]')).setValue(location);
  if (teams) await (await form.$('input[name="teams"]')).setValue(teams);
  if (secret) await (await form.$('input[name="secret"]')).setValue(secret);
  await (await form.$('button[type="submit"]')).click();
  await (await browser.$(`tr[data-system="${name}"]`)).waitForExist({ timeout: 10_000 });
}

test('the Systems screen adds a hub and a spoke and lists them', async () => {
  const { browser } = app;
  // The app opens on the Overview; a fresh workspace has no audit yet.
  await (await browser.$('h1=Overview')).waitForDisplayed({ timeout: 20_000 });
  await (await browser.$('strong=No audit has been run yet.')).waitForDisplayed({ timeout: 10_000 });
  await (await browser.$('button=Systems')).click();
  await (await browser.$('h1=Systems')).waitForDisplayed({ timeout: 20_000 });
  await (await browser.$('strong=No systems yet.')).waitForDisplayed();

  await addSystem(browser, {
    name: 'HubSpot',
    kind: 'hubspot',
    role: 'hub',
    location: 'https://api.hubapi.com',
    secret: TOKEN,
    teams: 'Sales, Marketing',
  });
  await addSystem(browser, {
    name: 'Events sheet',
    kind: 'csv',
    role: 'spoke',
    location: '/srv/shared/events-2026.csv',
    teams: 'Events',
  });

  assert.equal(await browser.$$('table[aria-label="Systems"] tbody tr').length, 2);
  const hub = await (await browser.$('tr[data-system="HubSpot"]')).getText();
  assert.match(hub, /hub/i);
  assert.match(hub, /In keychain/, 'the token reached the OS keychain');
  const sheet = await (await browser.$('tr[data-system="Events sheet"]')).getText();
  assert.match(sheet, /CSV file/);
  assert.match(sheet, /imported/);
  await screenshot(browser, 'systems');
});

test('a second hub is refused with the reason and what to do', async () => {
  const { browser } = app;
  await (await browser.$('button=Add system')).click();
  const form = await browser.$('form.add-form');
  await (await form.$('input[name="name"]')).setValue('Old CRM');
  await (await form.$('select[name="kind"]')).selectByAttribute('value', 'rest');
  const hubOption = await form.$('select[name="role"] option[value="hub"]');
  assert.equal(await hubOption.getAttribute('disabled'), 'true', 'the hub slot is taken');
  await (await form.$('input[name="location"]')).setValue('not-a-url');
  // A REST system must name its config file; the URL is checked first.
  await (await form.$('input[name="config"]')).setValue('/srv/steward/old-crm.toml');
  await (await form.$('button[type="submit"]')).click();
  const alert = await form.$('[role="alert"]');
  await alert.waitForDisplayed();
  assert.match(await alert.getText(), /must start with https:\/\//);
  assert.match(await alert.getText(), /Correct the field/);
  await (await form.$('button=Cancel')).click();
});

test('Activity shows the audit log newest first with an intact chain', async () => {
  const { browser } = app;
  await (await browser.$('button=Activity')).click();
  const status = await browser.$('[data-testid="chain-status"]');
  await status.waitForDisplayed({ timeout: 10_000 });
  assert.match(await status.getText(), /Chain intact/);
  const actions = await browser.$$('.log-row').map((row) => row.getAttribute('data-action'));
  assert.deepEqual(actions, ['system.added', 'system.added', 'workspace.created']);
  await screenshot(browser, 'activity');
  await (await browser.$('button=Systems')).click();
  await (await browser.$('tr[data-system="HubSpot"]')).waitForDisplayed();
});

test('the token is nowhere in the workspace files', () => {
  const dir = dirname(app.workspace);
  for (const name of readdirSync(dir)) {
    const bytes = readFileSync(join(dir, name));
    assert.equal(bytes.includes(Buffer.from(TOKEN)), false, `token found in ${name}`);
  }
});
