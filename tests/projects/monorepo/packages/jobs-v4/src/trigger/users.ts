import { logger, task } from "@trigger.dev/sdk";

export const syncUsers = task({
  id: "sync-users",
  concurrency: { total: 1 },
  run: async (payload: { since: string }) => {
    logger.info("Syncing users", { since: payload.since });
    return { synced: 0 };
  },
});
