import { task, logger } from "@trigger.dev/sdk";

export const hello = task({
  id: "hello",
  run: async () => {
    logger.info("hello");
  },
});
