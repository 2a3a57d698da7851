import { logger, tasks } from "@trigger.dev/sdk";
import { notifyChannel } from "../lib/slack";

tasks.onFailure(async ({ task, error, ctx }) => { // must-not: deprecated-hook
  logger.error("Task failed for good", { task, run: ctx.run.id, error });
  await notifyChannel({
    channel: "#ops-docuflow",
    title: `${task} failed`,
    body: `Run ${ctx.run.id} failed after ${ctx.attempt.number} attempts.`,
    severity: "critical",
  });
});

tasks.onStartAttempt(async ({ ctx }) => {
  if (ctx.attempt.number > 1) {
    logger.warn("Retrying", { task: ctx.task.id, attempt: ctx.attempt.number });
  }
});
