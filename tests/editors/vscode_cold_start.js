// Cold start in VS Code (code-server), with TypeScript's language service checking the file:
// opens month-end.ts, waits for the first trigger-lsp squiggle, moves to line 64 so that two
// findings found in the file alone are in view (62: parallel-waits, 67: result-not-unwrapped),
// then restarts the server (a new process, the file open) and notes when the first squiggle is
// back, and when both are. Reports the wall-clock times; the server's spawn times are written
// by the wrapper that starts it (cold_start.py). (At the top of the file only line 37's
// duplicate-task-id is in view, which needs the workspace index: the first squiggle then
// waited for the index, 1.2 s after the first diagnostics had reached the editor.)
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

const IN_VIEW = ['Promise.all(', 'r.total'];

run(async ({ page, url, step, editor, editorLines, openFile, gotoLine, runCommand }) => {
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

  await step('in_view', async () => {
    await gotoLine(64, 1);
    await page.waitForTimeout(500);
    const lines = await editorLines();
    const missing = IN_VIEW.filter((want) => !lines.some((l) => l.includes(want)));
    if (missing.length) {
      throw new Error(`not in view: ${missing.join(', ')} (lines shown: ${lines.length})`);
    }
    return { lines: lines.length };
  }, true);

  for (const n of [1, 2]) {
    await step(`restart_${n}`, async () => {
      await page.waitForTimeout(3000); // let the index and TypeScript settle
      // the old squiggles go with the old server; then the new one's come: the first, and both
      const watching = page.evaluate(
        ([selector, all, ms]) =>
          new Promise((resolve, reject) => {
            let cleared = null;
            let first = null;
            const observer = new MutationObserver(() => {
              const count = document.querySelectorAll(selector).length;
              if (cleared === null && count === 0) {
                cleared = Date.now();
              } else if (cleared !== null && first === null && count > 0) {
                first = Date.now();
              }
              if (first !== null && count >= all) {
                observer.disconnect();
                resolve({ cleared, squiggle: first, all: Date.now() });
              }
            });
            observer.observe(document.body, { childList: true, subtree: true, attributes: true });
            setTimeout(() => {
              observer.disconnect();
              reject(new Error(`squiggles not back within ${ms} ms (cleared: ${cleared}, first: ${first})`));
            }, ms);
          }),
        [SQUIGGLE, IN_VIEW.length, 60000],
      );
      const before = Date.now();
      await runCommand('Trigger.dev: Restart Language Server');
      return { before, ...(await watching) };
    });
  }
});
