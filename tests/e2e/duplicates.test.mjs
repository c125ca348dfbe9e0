// The Duplicates screen on the sandbox company: `steward demo --no-ui` registers and syncs all
// five systems (with their seeded duplicate clusters) and may already have found duplicates;
// then the real window cancels a run, finds the duplicates again, lists the clusters, opens one
// with its records side by side and the evidence of each link, and moves through the list by
// keyboard. Takes the README's screenshot.
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
  const workspace = join(mkdtempSync(join(tmpdir(), 'steward-e2e-dupes-')), 'demo.steward');
  demo = await startDemo(workspace);
  app = await launch({ workspace });
});

after(async () => {
  await app?.stop();
  demo?.child.kill();
});

// textContent throughout: WebDriver's visible text skips what `overflow: hidden` clips.
const text = async (element) => (await element.getProperty('textContent')).replace(/\s+/g, ' ').trim();
const LIST = '[aria-label="Duplicate clusters"]';
/** The text of the first element matching `selector`, or '' while there is none. */
const textOf = async (selector) => {
  const element = await app.browser.$(selector);
  return (await element.isExisting()) ? text(element) : '';
};
/** "1,234" in whatever grouping the webview's locale uses. */
const number = (s) => Number(s.replace(/[^\d]/g, ''));

test('Find duplicates lists the seeded clusters and explains one record by record', async () => {
  const { browser } = app;
  await (await browser.$('button=Duplicates')).click();
  await (await browser.$('h1=Duplicates')).waitForDisplayed({ timeout: 20_000 });
  // The demo may have found duplicates already: the screen opens on them, or on the empty state.
  const empty = await browser.$('strong=No duplicates found yet.');
  const list = await browser.$(LIST);
  await browser.waitUntil(async () => (await empty.isDisplayed()) || (await list.isDisplayed()), {
    timeout: 20_000,
    timeoutMsg: 'neither the clusters nor the empty state were shown',
  });
  const hadRun = await list.isDisplayed();

  // A run, cancelled: nothing changes and the screen says so.
  await (await browser.$('button=Find duplicates')).click();
  await (await browser.$('progress[aria-label="Matching progress"]')).waitForDisplayed({ timeout: 10_000 });
  await (await browser.$('button=Cancel')).click();
  const notice = await browser.$('.notice');
  await notice.waitForDisplayed({ timeout: 120_000 });
  assert.match(await text(notice), /Matching was cancelled\. Nothing changed; press Find duplicates to run again\./);
  assert.equal(await (hadRun ? list : empty).isDisplayed(), true, 'the last run is still shown');

  // The real run: progress by stage, then the clusters.
  await (await browser.$('button=Find duplicates')).click();
  const stage = await browser.$('.progress .mono');
  await stage.waitForDisplayed({ timeout: 30_000 });
  assert.match(await text(stage), /\((\d) of 6\)/, 'the stage under way');
  await screenshot(browser, 'duplicates-running');
  await browser.waitUntil(async () => /^Found /.test(await textOf('.notice')), {
    timeout: 180_000,
    timeoutMsg: 'the run did not end',
  });
  await list.waitForDisplayed();
  assert.match(await text(await browser.$('.notice')), /Found \S+ clusters holding \S+ of \S+ records/);

  const count = number(await text(await browser.$('.count')));
  assert.ok(count >= 20, `the sandbox seeds dozens of duplicate clusters; found ${count}`);
  const facts = await text(await browser.$('[aria-label="Last run"]'));
  assert.match(facts, /records compared/);
  assert.match(facts, /pairs compared/);

  const rows = await browser.$$(`${LIST} .cluster-row`);
  assert.ok(rows.length > 5 && rows.length < 100, `a window of rows is rendered, not all (${rows.length})`);
  const first = await text(rows[0]);
  assert.match(first, /\d+\.\d%/, 'the score as a percentage');

  // Open the strongest cluster: its records side by side, with the evidence.
  const label = await text(await rows[0].$('.label'));
  await (await rows[0].$('.label')).click();
  const table = await browser.$('table[aria-label="Records of the cluster"]');
  await table.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await text(await browser.$('.detail-title h2')), label);
  const members = await table.$$('thead th[data-record]');
  assert.ok(members.length >= 2, 'one column per record of the cluster');
  assert.match(await text(members[0]), /\S+ \S+/, 'system and external id');
  const cells = await text(table);
  assert.match(cells, /Email|First name|Last name|Full name/);
  assert.ok((await table.$$('td.agree')).length > 0, 'cells the evidence agrees on are tinted');

  const links = await browser.$('[aria-label="Links of the cluster"]');
  const evidence = await text(links);
  assert.match(evidence, /first_name|last_name|email|phone|company/);
  assert.match(evidence, /same|nickname|typo|similar|close|missing|different/);
  assert.match(evidence, /[+−]\d+\.\d/, 'signed evidence weights');
  assert.match(evidence, /prior vs [a-z]/, 'what the link was weighed against');
  assert.match(evidence, /= [+−]\d+\.\d bits → \d+\.\d%/, 'the bits summed to the probability');

  // The README's picture, with the notice dismissed.
  await (await browser.$('.notice button[aria-label="Dismiss"]')).click();
  const search = await browser.$('input[aria-label="Filter by name"]');
  /** Opens the cluster after the cursor's and waits for its detail. */
  const openNext = async () => {
    await browser.keys(['ArrowDown']);
    const cursor = await browser.$(`${LIST} .cluster-row[aria-current="true"]`);
    const id = await cursor.getAttribute('data-cluster');
    const name = await text(await cursor.$('.label'));
    await browser.keys(['Enter']);
    await browser.waitUntil(
      async () => (await (await browser.$('.detail-title')).getAttribute('data-cluster')) === id,
      { timeout: 10_000, timeoutMsg: `Enter did not open "${name}"` },
    );
    assert.equal(await textOf('.detail-title h2'), name);
  };
  // Most clusters agree on everything; the picture wants one with a disagreement too, across
  // two systems. The backend is asked which, as the screen would, then the list filtered to it.
  const target = await browser.executeAsync((done) => {
    const { invoke } = window.__TAURI_INTERNALS__;
    (async () => {
      const { clusters } = await invoke('duplicates');
      for (const c of clusters) {
        if (c.size !== 2 || c.systems.length < 2) continue;
        const evidence = (await invoke('duplicate_cluster', { cluster: c.cluster })).links[0]?.evidence ?? [];
        if (evidence.some((e) => e.level !== 'missing' && e.bits <= -1) && evidence.some((e) => e.bits >= 1)) {
          return { cluster: String(c.cluster), label: c.label };
        }
      }
      return null;
    })().then(done, () => done(null));
  });
  assert.ok(target, 'a cluster of two records from two systems whose evidence agrees and disagrees');
  await search.setValue(target.label);
  const row = await browser.$(`${LIST} .cluster-row[data-cluster="${target.cluster}"]`);
  await row.waitForDisplayed();
  await row.click();
  await browser.waitUntil(
    async () => (await (await browser.$('.detail-title')).getAttribute('data-cluster')) === target.cluster,
    { timeout: 10_000, timeoutMsg: `"${target.label}" did not open` },
  );
  // The whole list again, scrolled to the open cluster (↑ ↓ bring the cursor's row into view).
  await (await browser.$('button=Clear filters')).click();
  const cursorId = async () =>
    (await browser.$(`${LIST} .cluster-row[aria-current="true"]`)).getAttribute('data-cluster');
  await browser.keys(['ArrowUp']);
  await browser.keys(['ArrowDown']);
  if ((await cursorId()) !== target.cluster) await browser.keys(['ArrowUp']);
  assert.equal(await cursorId(), target.cluster);
  const records = await browser.$('table[aria-label="Records of the cluster"]');
  assert.ok((await records.$$('td.agree')).length > 0, 'cells the evidence agrees on');
  assert.ok((await records.$$('td.disagree')).length > 0, 'cells the evidence disagrees on');
  const shownLinks = await browser.$('[aria-label="Links of the cluster"]');
  assert.match(await text(shownLinks), /= [+−]\d+\.\d bits → \d+\.\d%/);
  // The first link whole, down to its sum, and as much of the records above it as fits.
  await browser.execute(() => document.querySelector('.links > li')?.scrollIntoView({ block: 'end' }));
  await screenshot(browser, 'duplicates');

  // Picking a link tints by its evidence alone: only its two records keep their tints.
  await (await shownLinks.$('button.link-head')).click();
  assert.equal(await (await shownLinks.$('button.link-head')).getAttribute('aria-pressed'), 'true');
  assert.equal((await browser.$$('table[aria-label="Records of the cluster"] thead th[data-record]:not(.out)')).length, 2);

  // The keyboard moves the cursor and Enter opens the next cluster.
  await openNext();
});

test('the filters narrow the list and say how many are shown', async () => {
  const { browser } = app;
  const total = number(await text(await browser.$('.count')));
  const search = await browser.$('input[aria-label="Filter by name"]');
  await search.setValue('zzzz-nobody');
  await (await browser.$('p.none')).waitForDisplayed();
  assert.match(await text(await browser.$('.count')), /^0 of /);
  await (await browser.$('button=Clear filters')).click();
  await browser.waitUntil(async () => number(await text(await browser.$('.count'))) === total);

  const chips = await browser.$$('[aria-label="Systems"] button');
  assert.ok(chips.length >= 1, 'a chip per system');
  await chips[0].click();
  const shown = number((await text(await browser.$('.count'))).split(' of ')[0]);
  assert.ok(shown > 0 && shown <= total, `clusters with a record from the first system: ${shown} of ${total}`);
});
