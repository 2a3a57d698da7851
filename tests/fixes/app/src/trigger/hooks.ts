import { logger, task, tasks } from "@trigger.dev/sdk";

// deprecated-hook (handleError -> catchError), oncomplete-result-output
export const importLedger = task({
  id: "import-ledger",
  handleError: async ({ error }) => {
    logger.error("import failed", { error });
    return undefined;
  },
  run: async (payload: { file: string }) => {
    logger.info("importing", payload);
    return { rows: payload.file.length };
  },
});

tasks.onComplete(async ({ result }) => {
  if (result.ok) {
    logger.info("task completed", { output: result.output });
  }
});
