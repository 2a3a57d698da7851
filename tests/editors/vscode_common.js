// Shared by the VS Code drivers (vscode_*_drive.js, vscode_cold_start.js): launches headless
// Chromium on the code-server URL and gives the driver helpers that act like a user would.
// Env: CS_URL (code-server URL with ?folder=), OUT_DIR (report.json + screenshots),
//      CHROMIUM (browser binary), NODE_PATH (where playwright-core is installed).
// Each step is recorded in report.json as { ok, detail, error, ms }; a failed step takes a
// screenshot and the run goes on with the next step, unless the step was required.
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

/** Runs `body(h)` with a page on the workbench URL; writes report.json at the end. */
async function drive(body) {
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
      '--disable-crash-reporter',
      '--disable-breakpad',
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

  // The first, required step of every driver: the workbench loaded (and, with `files`, the
  // folder's files listed in the explorer).
  async function openWorkbench(files = true) {
    await step('workbench', async () => {
      await page.goto(url);
      await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
      if (files) {
        await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
      }
      return 'loaded';
    }, true);
  }

  // The quick-fix menu at line:col, until it shows a row with `label`; returns that row.
  // Ctrl+. can go unanswered on a busy machine (TypeScript computes its refactors too): try the
  // key again, then the light bulb, as a user would.
  async function quickFixMenu(line, col, label) {
    const fix = page.locator('.action-widget .monaco-list-row').filter({ hasText: label }).first();
    for (let attempt = 1; ; attempt++) {
      await gotoLine(line, col);
      if (attempt === 2) {
        await editor().locator('.lightBulbWidget, .codicon-light-bulb').first().click({ timeout: 5000 }).catch(() => {});
      } else {
        await page.keyboard.press('Control+.');
      }
      try {
        await fix.waitFor({ state: 'visible', timeout: 10000 });
        return fix;
      } catch (e) {
        log(`quick fix menu not shown (attempt ${attempt})`);
        await page.keyboard.press('Escape');
        if (attempt === 3) throw e;
      }
    }
  }

  const h = {
    page, url, log, norm, report, shot, step, editor, editorLines, waitForLine, quickInput,
    openFile, gotoLine, runCommand, outputChannelText, openWorkbench, quickFixMenu,
  };
  try {
    await body(h);
  } finally {
    report.ms = Date.now() - t0;
    fs.writeFileSync(path.join(outDir, 'report.json'), JSON.stringify(report, null, 2));
    await browser.close();
  }
}

function run(body) {
  drive(body).then(
    () => process.exit(0),
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}

module.exports = { run };
