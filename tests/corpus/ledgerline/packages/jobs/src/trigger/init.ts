import { logger, tasks } from "@trigger.dev/sdk";

tasks.onStart(async ({ ctx }) => { // expect: deprecated-hook
  logger.info("Run started", { task: ctx.task.id, run: ctx.run.id });
});

tasks.catchError(async ({ error, ctx }) => {
  if (error instanceof Error && error.message.includes("ECONNRESET")) {
    logger.warn("Connection reset; retrying sooner", { task: ctx.task.id });
    return { retryDelayInMs: 2_000 };
  }
  return undefined;
});
