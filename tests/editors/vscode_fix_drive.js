// The editor experience of issue 16 in the real VS Code workbench (code-server), with TypeScript's
// own language service running on the SDK's types (the workspace has node_modules): the
// parallel-waits quick fix on the demo leaves no new problem in the Problems panel; hover and
// completion as a user sees them (screenshots); a package.json version mismatch in Problems.
// Run by test_vscode_fixes.py (see vscode_common.js for the environment it needs).
'use strict';
const { run } = require('./vscode_common');

const LOCATION = /\s*\[Ln \d+, Col \d+\]\s*/g;

run(async ({ page, log, norm, shot, step, editor, waitForLine, openFile, gotoLine, runCommand, outputChannelText, openWorkbench, quickFixMenu }) => {
  const rows = () => page.locator('.markers-panel .monaco-list-row');

  // The Problems panel, filtered to one file, read until it stops changing (TypeScript and
  // trigger-lsp answer at their own pace). Rows without their [Ln, Col] (a fix moves code).
  async function problems(filter, { settleMs = 5000, timeoutMs = 60000, until } = {}) {
    await runCommand('Problems: Focus on Problems View');
    const input = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
    await input.fill(filter);
    const end = Date.now() + timeoutMs;
    let last = null;
    let since = Date.now();
    for (;;) {
      const now = (await rows().allTextContents()).map(norm);
      if (JSON.stringify(now) !== JSON.stringify(last)) {
        last = now;
        since = Date.now();
      }
      const ready = !until || until(now);
      if ((ready && Date.now() - since >= settleMs) || Date.now() > end) {
        break;
      }
      await page.waitForTimeout(250);
    }
    // problem rows (and their related-information rows) carry a [Ln, Col]; file rows do not
    return last.filter((r) => /\[Ln \d+, Col \d+\]/.test(r)).map((r) => r.replace(LOCATION, ' ').trim());
  }

  async function hoverAt(line, col, text, name) {
    await editor().click({ position: { x: 400, y: 200 } });
    await gotoLine(line, col);
    const cursor = await editor().locator('.cursor').first().boundingBox();
    if (cursor) {
      await page.mouse.move(cursor.x + 3, cursor.y + cursor.height / 2);
    }
    const hover = page.locator('.monaco-hover').filter({ hasText: text }).first();
    try {
      await hover.waitFor({ state: 'visible', timeout: 10000 });
    } catch {
      await page.keyboard.press('Control+K'); // editor.action.showHover
      await page.keyboard.press('Control+I');
      await hover.waitFor({ state: 'visible', timeout: 15000 });
    }
    await page.waitForTimeout(800); // both providers' parts
    await shot(name);
    const parts = (await page.locator('.monaco-hover .hover-row, .monaco-hover .hover-contents').allInnerTexts()).map(norm);
    const lines = norm(await hover.innerText()).split('\n').filter((l) => l.trim());
    await page.mouse.move(5, 5);
    await page.keyboard.press('Escape');
    return { text: lines.join('\n'), lines: lines.length, parts };
  }

  async function suggest(typed, name, wanted) {
    await page.keyboard.type(typed, { delay: 40 });
    const widget = page.locator('.suggest-widget.visible');
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+Space');
      try {
        await widget.locator('.monaco-list-row').filter({ hasText: wanted }).first().waitFor({ timeout: 10000 });
        break;
      } catch (e) {
        log(`suggestions without ${wanted} (attempt ${attempt})`);
        await page.keyboard.press('Escape');
        if (attempt === 3) throw e;
      }
    }
    await page.waitForTimeout(1500); // TypeScript's items arrive after the first ones
    await shot(name);
    const labels = (await widget.locator('.monaco-list-row').allInnerTexts()).map((t) => norm(t).split('\n').join(' '));
    await page.keyboard.press('Escape');
    return labels;
  }

  await openWorkbench();

  await step('open_month_end', async () => {
    await openFile('month-end.ts');
    await editor().locator('.squiggly-error').first().waitFor({ timeout: 60000 });
    return 'opened';
  }, true);

  let before = [];
  await step('problems_before', async () => {
    // wait for both: trigger-lsp's finding and TypeScript's error on `r.total`
    before = await problems('month-end.ts', {
      until: (r) => r.some((x) => x.includes('parallel-waits')) && r.some((x) => /\bts\(?\d{4}/.test(x)),
    });
    return before;
  });

  await step('hover_finding', async () => {
    await openFile('month-end.ts');
    return await hoverAt(62, 32, 'parallel-waits', 'vscode-hover-finding');
  });

  await step('hover_sdk', async () => {
    // `triggerAndWait` of `summarizeMonth.triggerAndWait(...)`: TypeScript's signature is shown
    return await hoverAt(65, 40, 'triggerAndWait', 'vscode-hover-sdk');
  });

  await step('parallel_waits_fix', async () => {
    await openFile('month-end.ts');
    const fix = await quickFixMenu(62, 32, 'Run the children as one batch');
    const offered = (await page.locator('.action-widget .monaco-list-row').allTextContents()).map(norm);
    await fix.click();
    const line = await waitForLine((l) => l.includes('batchTriggerAndWait'), 'with the batch');
    return { offered, line };
  });

  await step('problems_after', async () => {
    const after = await problems('month-end.ts', {
      until: (r) => !r.some((x) => x.includes('parallel-waits')),
      settleMs: 8000,
    });
    await shot('vscode-after-fix');
    const left = [...before];
    const added = [];
    for (const row of after) {
      const i = left.indexOf(row);
      if (i >= 0) left.splice(i, 1);
      else added.push(row);
    }
    return { after, added, removed: left };
  });

  await step('completion_options', async () => {
    // a new key in a task's options, in emails.ts
    await openFile('emails.ts');
    await gotoLine(59, 1); // id: "send-email",
    await page.keyboard.press('End');
    await page.keyboard.press('Enter');
    return await suggest('ma', 'vscode-completion-options', 'machine');
  });

  await step('completion_values', async () => {
    await page.keyboard.press('Escape');
    await page.keyboard.press('End');
    await page.keyboard.press('Shift+Home');
    await page.keyboard.press('Delete'); // the `ma` typed above
    return await suggest('machine: "', 'vscode-completion-values', 'small-1x');
  });

  await step('package_json_problem', async () => {
    await openFile('package.json');
    const found = await problems('package.json', {
      until: (r) => r.some((x) => x.includes('sdk-version-mismatch')),
      settleMs: 1000,
      timeoutMs: 30000,
    });
    await shot('vscode-package-json');
    return found;
  });

  // after a session of edits, hovers, completions and quick fixes (requests get cancelled as the
  // user goes on): what the extension logged, to check the levels
  await step('output_channel', async () => {
    const text = await outputChannelText();
    await shot('vscode-output-channel');
    return text.split('\n');
  });
});
