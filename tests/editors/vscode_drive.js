// Drives the real VS Code workbench (code-server) with the trigger-lsp extension and checks what a
// user sees: status bar, squiggles, Problems panel, hover, explain command, quick fix, snippet,
// fix-all. Run by test_vscode.py (see vscode_common.js for the environment it needs).
'use strict';
const fs = require('fs');
const { run } = require('./vscode_common');

run(async ({ page, log, norm, shot, step, editor, waitForLine, quickInput, openFile, gotoLine, runCommand, openWorkbench, quickFixMenu }) => {
  await openWorkbench();

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
    // Show only trigger-lsp's rows (the demo has no node_modules, so tsconfig.json has one too).
    const filter = page.locator('.markers-panel-action-filter input, .viewpane-filter input').first();
    await filter.fill('trigger-lsp').catch(() => {});
    await editor().click({ position: { x: 400, y: 200 } });
    await gotoLine(62, 32);
    // point the mouse at the cursor, inside `Promise.all`, as a user would
    const cursor = await editor().locator('.cursor').first().boundingBox();
    if (cursor) {
      await page.mouse.move(cursor.x + 3, cursor.y + cursor.height / 2);
    }
    const hover = page.locator('.monaco-hover').filter({ hasText: 'TASK_DID_CONCURRENT_WAIT' }).first();
    try {
      await hover.waitFor({ state: 'visible', timeout: 10000 });
    } catch {
      await page.keyboard.press('Control+K'); // the keyboard way: editor.action.showHover
      await page.keyboard.press('Control+I');
      await hover.waitFor({ state: 'visible', timeout: 15000 });
    }
    await page.waitForTimeout(500);
    await shot('vscode');
    return norm(await hover.textContent());
  });

  await step('explain_command', async () => {
    await page.mouse.move(5, 5);
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
    const label = norm(await tab.getAttribute('aria-label'));
    // one view: no toast repeating the rule's summary beside it
    await page.waitForTimeout(1500);
    const toasts = (await page.locator('.notifications-toasts .notification-toast').allInnerTexts()).map(norm);
    // The preview (a webview) takes the keyboard focus and keeps shortcuts from the workbench:
    // close it with the mouse and click back into the code.
    await tab.click({ button: 'middle' }); // closes a tab
    await tab.waitFor({ state: 'detached', timeout: 10000 });
    await editor().click({ position: { x: 300, y: 150 } });
    return { label, toasts };
  });

  await step('quick_fix', async () => {
    await openFile('route.ts');
    await editor().locator('.squiggly-error').first().waitFor({ timeout: 30000 });
    const fix = await quickFixMenu(6, 62, 'process.env.TRIGGER_SECRET_KEY');
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
    const row = page.locator('.suggest-widget.visible .monaco-list-row').filter({ hasText: 'tr-task' }).first();
    for (let attempt = 1; ; attempt++) {
      await page.keyboard.press('Control+Space');
      try {
        await row.waitFor({ state: 'visible', timeout: 10000 });
        break;
      } catch (e) {
        log(`suggestions without tr-task (attempt ${attempt})`);
        if (attempt === 3) throw e;
        await page.keyboard.press('Escape');
      }
    }
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

  await step('restart_on_server_path_change', async () => {
    // what saving a new trigger-lsp.server.path in the Remote settings does
    const settings = JSON.parse(fs.readFileSync(process.env.MACHINE_SETTINGS, 'utf8'));
    settings['trigger-lsp.server.path'] = process.env.ALT_SERVER;
    fs.writeFileSync(process.env.MACHINE_SETTINGS, JSON.stringify(settings, null, 1));
    log(`server.path -> ${process.env.ALT_SERVER}`);
    const item = page.locator('.statusbar-item').filter({ hasText: 'trigger-lsp' }).first();
    const end = Date.now() + 60000;
    let label = '';
    while (Date.now() < end) {
      label = norm(await item.getAttribute('aria-label'));
      if (label.includes(process.env.ALT_SERVER) && (await item.locator('.codicon-check').count())) break;
      await page.waitForTimeout(250);
    }
    if (!label.includes(process.env.ALT_SERVER)) throw new Error(`status still says: ${label}`);
    // the new server checks the open files again (the old client's diagnostics went with it)
    const rows = page.locator('.markers-panel .monaco-list-row');
    await rows.filter({ hasText: 'parallel-waits' }).first().waitFor({ timeout: 30000 });
    return label;
  });
});
