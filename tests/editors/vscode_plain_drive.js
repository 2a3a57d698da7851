// A JavaScript project that is not a Trigger.dev project (no trigger.config.*, no @trigger.dev
// dependency): no trigger-lsp status item and no server, until the user runs Restart; then, with
// trigger-lsp.trace.server set (and nothing else), the protocol trace shows in its channel.
// Run by test_vscode_plain.py (see vscode_common.js for the environment it needs).
'use strict';
const { run } = require('./vscode_common');

run(async ({ page, norm, step, shot, openFile, runCommand, quickInput, openWorkbench }) => {
  const status = page.locator('.statusbar-item').filter({ hasText: 'trigger-lsp' });

  await openWorkbench();

  await step('no_status_item', async () => {
    await openFile('index.ts');
    await page.waitForTimeout(12000); // the extension activates on package.json and decides
    await shot('vscode-plain-project');
    return await status.count();
  });

  await step('restart_starts_it', async () => {
    await runCommand('Trigger.dev: Restart Language Server');
    await status.first().locator('.codicon-check').waitFor({ timeout: 60000 });
    return norm(await status.first().getAttribute('aria-label'));
  });

  await step('trace_channel', async () => {
    await openFile('index.ts');
    await page.waitForTimeout(2000);
    await quickInput('F1', '>Output: Show Output Channels', 'Show Output Channels');
    const input = page.locator('.quick-input-widget .quick-input-box input');
    await input.waitFor({ state: 'visible' });
    await input.fill('trigger-lsp (trace)');
    await page
      .locator('.quick-input-widget .quick-input-list .monaco-list-row')
      .filter({ hasText: 'trigger-lsp (trace)' })
      .first()
      .waitFor();
    await page.keyboard.press('Enter');
    const view = page.locator('.panel .output-view .view-lines, .panel .monaco-editor .view-lines').first();
    await view.waitFor({ timeout: 10000 });
    await page.waitForTimeout(1000);
    await shot('vscode-trace-channel');
    return norm(await view.innerText()).split('\n').slice(0, 40);
  });
});
