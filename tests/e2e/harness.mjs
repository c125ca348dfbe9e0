// Starts the real Steward binary through tauri-driver (WebKitWebDriver underneath) and
// hands the test a webdriverio session. Run under Xvfb and a D-Bus session with an unlocked
// keyring: scripts/test does both.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { remote } from 'webdriverio';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOTS = join(ROOT, 'target', 'e2e');
const APP = join(ROOT, 'target', 'debug', 'steward-desktop');
const PORT = 4444;

async function waitForPort(child, port) {
  for (let i = 0; i < 100; i += 1) {
    if (child.exitCode !== null) throw new Error(`tauri-driver exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** The keychain service the app (and any CLI a test runs beside it) keeps secrets under. */
export const KEYCHAIN_SERVICE = `steward-e2e-${process.pid}`;
export const CLI = join(ROOT, 'target', 'debug', 'steward');

/** Launches the app on `workspace` (default: a fresh one); returns { browser, workspace, stop }. */
export async function launch({ workspace: given } = {}) {
  if (!existsSync(APP)) throw new Error(`${APP} is missing: build it with cargo build -p steward-desktop`);
  mkdirSync(SHOTS, { recursive: true });
  const workspace = given ?? join(mkdtempSync(join(tmpdir(), 'steward-e2e-')), 'workspace.steward');
  const driverBin = process.env.TAURI_DRIVER ?? 'tauri-driver';
  const driver = spawn(driverBin, ['--port', String(PORT)], {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, STEWARD_KEYCHAIN_SERVICE: KEYCHAIN_SERVICE, STEWARD_LOG: 'warn' },
  });
  try {
    await waitForPort(driver, PORT);
    const browser = await remote({
      hostname: '127.0.0.1',
      port: PORT,
      logLevel: 'error',
      // Closing the app drops the connection mid-reply; retrying that only waits.
      connectionRetryCount: 0,
      connectionRetryTimeout: 30_000,
      capabilities: {
        browserName: 'wry',
        'wdio:enforceWebDriverClassic': true,
        'tauri:options': { application: APP, args: ['--workspace', workspace] },
      },
    });
    const stop = async () => {
      await browser.deleteSession().catch(() => {});
      driver.kill();
      // Make sure no app window outlives the test, whatever the driver managed.
      spawnSync('pkill', ['-f', workspace]);
    };
    return { browser, workspace, stop };
  } catch (err) {
    driver.kill();
    throw err;
  }
}

/** Waits two animation frames so a screenshot shows the current frame, then saves it. */
export async function screenshot(browser, name) {
  await browser.executeAsync((done) => requestAnimationFrame(() => requestAnimationFrame(() => done())));
  const path = join(SHOTS, `${name}.png`);
  await browser.saveScreenshot(path);
  return path;
}
