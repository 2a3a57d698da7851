import { task, logger } from "@trigger.dev/sdk/v3";

export const hello = task({
  id: "hello",
  run: async () => {
    logger.info("hello");
  },
});
