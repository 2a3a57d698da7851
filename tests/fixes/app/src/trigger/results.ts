import { logger, task } from "@trigger.dev/sdk";
import { buildStatement } from "./children";

// result-not-unwrapped: a property of the output read from the result wrapper (this is also a
// TypeScript error, so the file is not type-checked before the fix)
export const firstStatement = task({
  id: "first-statement",
  run: async (payload: { month: string }) => {
    const first = await buildStatement.triggerAndWait({ customerId: "acme", month: payload.month });
    const total = first.total;
    logger.info("first statement", { total });
    return { total };
  },
});
