import { logger, task } from "@trigger.dev/sdk";

export const ping = task({
  id: "ping",
  run: async (payload: { at: string }) => {
    logger.info("ping", payload);
    return { pong: payload.at };
  },
});
