// The universal .vsix offline: it offers to install its Python server; pip cannot reach an index,
// and the user must get one message that says what is needed, not pip's own error. Run by
// test_vscode_standalone.py.
'use strict';
const { run } = require('./vscode_common');

run(async ({ page, norm, shot, step, openWorkbench }) => {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  const toast = (text) => toasts.filter({ hasText: text }).first();

  await openWorkbench(false);

  await step('offer', async () => {
    const offer = toast('not installed');
    await offer.waitFor({ timeout: 60000 });
    await offer.locator('.monaco-button').filter({ hasText: 'Install' }).first().click();
    return 'clicked Install';
  }, true);

  await step('offline_message', async () => {
    const error = toast('could not download');
    await error.waitFor({ timeout: 150000 });
    const text = norm(await error.locator('.notification-list-item-message').innerText());
    const buttons = (await error.locator('.monaco-button').allInnerTexts()).map(norm);
    await shot('vscode-offline');
    return { text, buttons };
  });
});
