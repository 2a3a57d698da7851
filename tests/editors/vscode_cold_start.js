// Cold start in VS Code (code-server), with TypeScript's language service checking the file:
// opens month-end.ts, waits for the first trigger-lsp squiggle, then restarts the server (a new
// process, the file open) and waits for the squiggles again. Reports the wall-clock times; the
// server's spawn times are written by the wrapper that starts it (cold_start.py).
'use strict';
const { run } = require('./vscode_common');

const SQUIGGLE = '.editor-group-container.active .squiggly-error, .editor-group-container.active .squiggly-warning';

// Resolves with Date.now() (page clock) when `present(selector)` first holds, noticed by a
// MutationObserver rather than by polling.
function whenSquiggles(page, present, timeout) {
  return page.evaluate(
    ([selector, want, ms]) =>
      new Promise((resolve, reject) => {
        const holds = () => (document.querySelector(selector) !== null) === want;
        if (holds()) {
          resolve(Date.now());
          return;
        }
        const observer = new MutationObserver(() => {
          if (holds()) {
            observer.disconnect();
            resolve(Date.now());
          }
        });
        observer.observe(document.body, { childList: true, subtree: true, attributes: true });
        setTimeout(() => {
          observer.disconnect();
          reject(new Error(`no change within ${ms} ms`));
        }, ms);
      }),
    [SQUIGGLE, present, timeout],
  );
}

run(async ({ page, url, step, editor, openFile, runCommand }) => {
  await step('workbench', async () => {
    await page.goto(url);
    await page.waitForSelector('.monaco-workbench', { timeout: 60000 });
    await page.locator('.explorer-folders-view .monaco-list-row').first().waitFor({ timeout: 60000 });
    return 'loaded';
  }, true);

  await step('first_open', async () => {
    const opening = Date.now();
    await openFile('month-end.ts');
    await editor().locator('.view-lines').waitFor();
    const squiggle = await whenSquiggles(page, true, 60000);
    return { opening, squiggle };
  }, true);

  for (const n of [1, 2]) {
    await step(`restart_${n}`, async () => {
      await page.waitForTimeout(3000); // let the index and TypeScript settle
      // the old squiggles go with the old server; then the new one's come
      const watching = page.evaluate(
        ([selector, ms]) =>
          new Promise((resolve, reject) => {
            let cleared = null;
            const observer = new MutationObserver(() => {
              const present = document.querySelector(selector) !== null;
              if (cleared === null && !present) {
                cleared = Date.now();
              } else if (cleared !== null && present) {
                observer.disconnect();
                resolve({ cleared, squiggle: Date.now() });
              }
            });
            observer.observe(document.body, { childList: true, subtree: true, attributes: true });
            setTimeout(() => {
              observer.disconnect();
              reject(new Error(`squiggles not back within ${ms} ms (cleared: ${cleared})`));
            }, ms);
          }),
        [SQUIGGLE, 60000],
      );
      const before = Date.now();
      await runCommand('Trigger.dev: Restart Language Server');
      return { before, ...(await watching) };
    });
  }
});
