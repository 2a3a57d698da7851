// The extension's own server install, in the real workbench: no trigger-lsp anywhere, so it offers
// to install one; with a Python that does not exist it must say what to do; after the Python
// setting is fixed (written to the Remote settings file, as a user would save it) the install runs
// with a progress notification and the server comes up. Run by test_vscode_install.py.
// Env (besides vscode_common.js's): MACHINE_SETTINGS (settings file), GOOD_PYTHON (a Python 3.11+).
'use strict';
const fs = require('fs');
const { run } = require('./vscode_common');

run(async ({ page, norm, log, shot, step, editor, openFile, openWorkbench }) => {
  const toasts = page.locator('.notifications-toasts .notification-toast');
  const toast = (text) => toasts.filter({ hasText: text }).first();
  const status = page.locator('.statusbar-item').filter({ hasText: 'trigger-lsp' }).first();

  async function clickInstall() {
    const offer = toast('not installed');
    await offer.waitFor({ timeout: 60000 });
    const text = norm(await offer.locator('.notification-list-item-message').innerText());
    await offer.locator('.monaco-button').filter({ hasText: 'Install' }).first().click();
    return text;
  }

  await openWorkbench(false);

  // "Not Now" is remembered: after a reload there is no offer, only the status item, which asks
  // again when clicked.
  await step('offer_not_now', async () => {
    const offer = toast('not installed');
    await offer.waitFor({ timeout: 60000 });
    const text = norm(await offer.locator('.notification-list-item-message').innerText());
    // the question stays in the status bar while it is not answered
    const asking = norm(await status.getAttribute('aria-label'));
    await offer.locator('.monaco-button').filter({ hasText: 'Not Now' }).first().click();
    await page.waitForTimeout(500);
    return { text, asking, after: norm(await status.getAttribute('aria-label')) };
  }, true);

  await step('not_now_remembered', async () => {
    await page.reload();
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await status.waitFor({ timeout: 60000 });
    const end = Date.now() + 60000;
    let label = '';
    while (Date.now() < end) {
      label = norm(await status.getAttribute('aria-label'));
      if (label.includes('not installed')) break;
      await page.waitForTimeout(250);
    }
    await page.waitForTimeout(5000); // an offer would have shown by now
    const offers = await toasts.filter({ hasText: 'not installed' }).count();
    await shot('vscode-install-not-now');
    return { label, offers };
  });

  await step('offer', async () => {
    await status.click(); // the status item asks again
    return await clickInstall();
  }, true);

  await step('missing_python', async () => {
    const error = toast('Python 3.11 or newer');
    await error.waitFor({ timeout: 60000 });
    const buttons = (await error.locator('.monaco-button').allInnerTexts()).map(norm);
    const text = norm(await error.locator('.notification-list-item-message').innerText());
    await shot('vscode-install-no-python');
    await error.locator('.codicon-notifications-clear, .codicon-close').first().click().catch(() => {});
    return { text, buttons, status: norm(await status.getAttribute('aria-label')) };
  });

  await step('install', async () => {
    const settings = JSON.parse(fs.readFileSync(process.env.MACHINE_SETTINGS, 'utf8'));
    settings['trigger-lsp.server.python'] = process.env.GOOD_PYTHON;
    fs.writeFileSync(process.env.MACHINE_SETTINGS, JSON.stringify(settings, null, 1));
    log('server.python set: the extension restarts and offers the install again');
    const offered = await clickInstall();
    // watch the progress notification until the server runs
    const seen = new Set();
    const deadline = Date.now() + 240000;
    while (Date.now() < deadline) {
      for (const t of await toasts.allInnerTexts()) {
        if (/environment|Installing|Python/.test(t)) seen.add(norm(t).split('\n')[0]);
      }
      if (await status.locator('.codicon-check').count()) break;
      if (await status.locator('.codicon-error').count()) throw new Error('install failed: ' + [...seen]);
      await page.waitForTimeout(250);
    }
    await status.locator('.codicon-check').waitFor({ timeout: 1000 });
    return { offered, progress: [...seen], status: norm(await status.getAttribute('aria-label')) };
  }, true);

  await step('diagnostics', async () => {
    await openFile('month-end.ts');
    await editor().locator('.squiggly-error').first().waitFor({ timeout: 60000 });
    await shot('vscode-installed');
    return 'squiggles';
  });
});
