import { logger, task } from "@trigger.dev/sdk";

export const sendDigest = task({
  id: "send-digest",
  concurrency: { total: 2 },
  run: async (payload: { userId: string }) => {
    logger.info("Sending digest", { userId: payload.userId });
    return { sent: true };
  },
});

// A copy left behind by a refactor: the same id as in users.ts.
export const syncUsersAgain = task({
  id: "sync-users",
  concurrency: { total: 1 },
  run: async (payload: { since: string }) => {
    logger.info("Syncing users (old copy)", { since: payload.since });
    return { synced: 0 };
  },
});
