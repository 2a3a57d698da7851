import { logger, task } from "@trigger.dev/sdk/v3";

// The same id as in jobs-v4: a different Trigger.dev project, so not a duplicate.
export const sendDigest = task({
  id: "send-digest",
  queue: { concurrencyLimit: 2 },
  run: async (payload: { userId: string }) => {
    logger.info("Sending digest", { userId: payload.userId });
    return { sent: true };
  },
  onFailure: async (payload, error, { ctx }) => {
    logger.error("Digest failed", { userId: payload.userId, runId: ctx.run.id });
  },
});
