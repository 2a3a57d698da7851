// The platform-specific .vsix (it carries the standalone server) in the real workbench, with no
// Python anywhere code-server can find one: the status bar names the bundled server and the demo's
// findings show in the editor and the Problems panel. Run by test_vscode_standalone.py.
'use strict';
const { run } = require('./vscode_common');

run(async ({ page, norm, shot, step, editor, openFile, openWorkbench }) => {
  const status = page.locator('.statusbar-item').filter({ hasText: 'trigger-lsp' }).first();

  await openWorkbench();

  await step('open_month_end', async () => {
    await openFile('month-end.ts');
    return 'opened';
  }, true);

  await step('status_bar', async () => {
    await status.locator('.codicon-check').waitFor({ timeout: 60000 });
    return norm(await status.getAttribute('aria-label'));
  }, true);

  await step('squiggles', async () => {
    await editor().locator('.squiggly-error').first().waitFor({ timeout: 60000 });
    return await editor().locator('.squiggly-error, .squiggly-warning').count();
  });

  await step('problems_panel', async () => {
    await page.keyboard.press('Control+Shift+M');
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: 'parallel-waits' }).first().waitFor({ timeout: 30000 });
    await shot('vscode-standalone');
    return (await rows.allTextContents()).map(norm);
  });
});
