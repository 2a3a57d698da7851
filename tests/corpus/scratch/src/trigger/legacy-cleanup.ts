import { logger, task } from "@trigger.dev/sdk/v3"; // must-not: sdk-v3-import-path

// Kept from the first version of these scripts; run by hand from the dashboard.
export const clearStaleLocks = task({
  id: "clear-stale-locks",
  run: async (payload: { olderThanMinutes: number }) => {
    const response = await fetch(`https://api.example-ops.dev/locks?olderThan=${payload.olderThanMinutes}`, {
      method: "DELETE",
    });
    logger.info("Stale locks cleared", { status: response.status });
  },
});
