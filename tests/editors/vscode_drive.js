// Drives the real VS Code workbench (code-server) in headless Chromium with playwright-core and
// checks what a user sees with the trigger-lsp extension installed. Used by test_vscode.py.
// Env: CS_URL (code-server URL with ?folder=), OUT_DIR (report.json + screenshots),
//      CHROMIUM (browser binary), NODE_PATH (where playwright-core is installed).
// Each step is recorded in report.json as { ok, detail, error, ms }; a failed step takes a
// screenshot and the run goes on with the next step.
'use strict';
const fs = require('fs');
const path = require('path');
const { chromium } = require('playwright-core');

const url = process.env.CS_URL;
const outDir = process.env.OUT_DIR;
const t0 = Date.now();
const report = { steps: {}, log: [] };
const log = (m) => {
  const line = `[${Date.now() - t0}ms] ${m}`;
  report.log.push(line);
  console.log(line);
};
const norm = (s) => (s || '').replace(/\u00a0/g, ' ');

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    // no sandbox as root; no background networking: nothing may leave this machine
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--metrics-recording-only',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  page.setDefaultTimeout(20000);

  const shot = async (name) => {
    const file = path.join(outDir, `${name}.png`);
    await page.screenshot({ path: file }).catch((e) => log(`screenshot ${name} failed: ${e.message}`));
    return file;
  };

  let aborted = false;
  // A failed `required` step (the workbench, the server) skips the rest: they would only time out.
  async function step(name, fn, required = false) {
    if (aborted) {
      return;
    }
    const start = Date.now();
    try {
      const detail = await fn();
      report.steps[name] = { ok: true, detail, ms: Date.now() - start };
      log(`${name}: ok`);
    } catch (e) {
      aborted = required;
      if (required) {
        report.output_channel = await outputChannelText().catch((err) => `unavailable: ${err.message}`);
      }
      report.steps[name] = { ok: false, error: String(e && e.message ? e.message : e), ms: Date.now() - start };
      log(`${name}: FAILED ${e && e.message}`);
      await shot(`fail-${name}`);
      await page.keyboard.press('Escape').catch(() => {});
      await page.keyboard.press('Escape').catch(() => {});
    }
  }

  // What the extension logged (trigger-lsp output channel), for failure reports.
  async function outputChannelText() {
    await page.keyboard.press('Escape');
    await runCommand('Trigger.dev: Show Language Server Output');
    const view = page.locator('.panel .output-view .view-lines, .panel .monaco-editor .view-lines').first();
    await view.waitFor({ timeout: 10000 });
    await page.waitForTimeout(1000);
    return norm(await view.innerText());
  }

  const editor = () => page.locator('.editor-group-container.active .editor-instance .monaco-editor').first();

  async function editorLines() {
    const lines = await editor().locator('.view-lines .view-line').allInnerTexts();
    return lines.map(norm);
  }

  async function waitForLine(predicate, what, timeout = 20000) {
    const end = Date.now() + timeout;
    let lines = [];
    while (Date.now() < end) {
      lines = await editorLines();
      const hit = lines.find(predicate);
      if (hit !== undefined) return hit;
      await page.waitForTimeout(200);
    }
    throw new Error(`no line ${what} among:\n${lines.join('\n')}`);
  }

  async function quickInput(prefixKeys, text, rowText) {
    await page.keyboard.press(prefixKeys);
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill(text);
    if (rowText) {
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({ hasText: rowText })
        .first()
        .waitFor({ state: 'visible' });
    }
    await page.keyboard.press('Enter');
  }

  async function openFile(name) {
    await page.keyboard.press('Escape');
    await quickInput('Control+P', name, name);
    await page.locator('.editor-group-container.active .tab.active').filter({ hasText: name }).waitFor();
    await editor().locator('.view-lines').waitFor();
    await editor().click({ position: { x: 400, y: 200 } }); // focus the text
  }

  async function gotoLine(line, col) {
    await quickInput('Control+G', `:${line}:${col}`);
    await page.waitForTimeout(200);
  }

  async function runCommand(title) {
    await quickInput('F1', `>${title}`, title);
  }

  try {
    await step('workbench', async () => {
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
      await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
      return 'loaded';
    }, true);

    await step('open_month_end', async () => {
      await openFile('month-end.ts');
      return 'opened';
    }, true);

    await step('status_bar', async () => {
      const item = page.locator('.statusbar-item').filter({ hasText: 'trigger-lsp' }).first();
      await item.waitFor({ timeout: 60000 });
      await item.locator('.codicon-check').waitFor({ timeout: 60000 });
      return norm(await item.getAttribute('aria-label')) || norm(await item.innerText());
    }, true);

    await step('squiggles', async () => {
      await editor().locator('.squiggly-error').first().waitFor({ timeout: 60000 });
      return await editor().locator('.squiggly-error, .squiggly-warning').count();
    });

    await step('problems_panel', async () => {
      await page.keyboard.press('Control+Shift+M');
      const rows = page.locator('.markers-panel .monaco-list-row');
      await rows.filter({ hasText: 'parallel-waits' }).first().waitFor({ timeout: 30000 });
      // duplicate-task-id needs the workspace index: give it time to arrive
      await rows
        .filter({ hasText: 'duplicate-task-id' })
        .first()
        .waitFor({ timeout: 15000 })
        .catch(() => {});
      return (await rows.allTextContents()).map(norm);
    });

    await step('hover', async () => {
      await editor().click({ position: { x: 400, y: 200 } });
      await gotoLine(62, 32);
      await page.keyboard.press('Control+K');
      await page.keyboard.press('Control+I');
      const hover = page.locator('.monaco-hover').filter({ hasText: 'TASK_DID_CONCURRENT_WAIT' }).first();
      await hover.waitFor({ state: 'visible', timeout: 20000 });
      await page.waitForTimeout(300);
      await shot('vscode');
      return norm(await hover.textContent());
    });

    await step('explain_command', async () => {
      await page.keyboard.press('Escape');
      await runCommand('Trigger.dev: Explain Rule');
      const input = page.locator('.quick-input-widget .quick-input-box input');
      await input.waitFor({ state: 'visible' });
      await input.fill('parallel-waits');
      await page
        .locator('.quick-input-widget .quick-input-list .monaco-list-row')
        .filter({ hasText: 'parallel-waits' })
        .first()
        .waitFor();
      await page.keyboard.press('Enter');
      const tab = page.locator('.tab').filter({ hasText: 'parallel-waits' }).first();
      await tab.waitFor({ timeout: 20000 });
      return norm(await tab.getAttribute('aria-label'));
    });

    await step('quick_fix', async () => {
      await openFile('route.ts');
      await editor().locator('.squiggly-error').first().waitFor({ timeout: 30000 });
      await gotoLine(6, 62);
      await page.keyboard.press('Control+.');
      const fix = page
        .locator('.action-widget .monaco-list-row')
        .filter({ hasText: 'process.env.TRIGGER_SECRET_KEY' })
        .first();
      await fix.waitFor({ state: 'visible', timeout: 20000 });
      const offered = (await page.locator('.action-widget .monaco-list-row').allTextContents()).map(norm);
      await fix.click();
      const line = await waitForLine((l) => l.includes('configure(') && !l.includes('tr_dev_'), 'fixed');
      await shot('vscode-quickfix');
      return { offered, line };
    });

    await step('snippet', async () => {
      await page.keyboard.press('Escape');
      await page.keyboard.press('Control+End');
      await page.keyboard.press('Enter');
      await page.keyboard.press('Enter');
      await page.keyboard.type('tr-task', { delay: 30 });
      await page.keyboard.press('Control+Space');
      const row = page.locator('.suggest-widget.visible .monaco-list-row').filter({ hasText: 'tr-task' }).first();
      await row.waitFor({ state: 'visible', timeout: 20000 });
      const offered = (await page.locator('.suggest-widget.visible .monaco-list-row').allTextContents())
        .map(norm)
        .slice(0, 8);
      await row.click();
      const line = await waitForLine((l) => /export const \w+ = task\(\{/.test(l), 'with the task');
      await waitForLine((l) => l.includes('id: "process-signup"'), 'with the id');
      await shot('vscode-snippet');
      await page.keyboard.press('Escape');
      return { offered, line };
    });

    await step('fix_all_command', async () => {
      await openFile('reminders.ts');
      await gotoLine(30, 5); // the unawaited trigger (a safe fix) in view
      await editor().locator('.squiggly-warning, .squiggly-error').first().waitFor({ timeout: 30000 });
      await runCommand('Trigger.dev: Fix All Auto-fixable Problems in This File');
      return await waitForLine((l) => l.includes('await sendEmail.trigger('), 'awaited');
    });
  } finally {
    report.ms = Date.now() - t0;
    fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify(report, null, 2));
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
