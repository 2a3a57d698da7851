import { AbortTaskRunError, logger, schemaTask, tags, wait } from "@trigger.dev/sdk";
import { z } from "zod";
import { deliverEmail } from "../lib/payments";

const apiKey = process.env.CRM_API_KEY;
if (!apiKey) {
  throw new Error("CRM_API_KEY is not set");
}

export const onboardUser = schemaTask({
  id: "onboard-user",
  schema: z.object({ userId: z.string(), email: z.string().email() }),
  concurrency: { perKey: 1 },
  run: async (payload, { ctx }) => {
    await tags.add(`user_${payload.userId}`);
    logger.info("Onboarding", { userId: payload.userId, runId: ctx.run.id });

    const response = await fetch(`https://crm.example.com/users/${payload.userId}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    if (response.status === 404) {
      throw new AbortTaskRunError(`unknown user ${payload.userId}`);
    }

    try {
      await deliverEmail(payload.email, "Welcome!", "Thanks for signing up.");
    } catch (error) {
      logger.error("Welcome email failed", { error: String(error) });
      throw error;
    }

    await wait.for({ days: 1 });

    const approval = await wait.createToken({ timeout: "7d", tags: [`user_${payload.userId}`] });
    logger.info("Waiting for approval", { tokenId: approval.id });
    const result = await wait.forToken<{ approved: boolean }>(approval.id);
    if (!result.ok) {
      logger.warn("Approval timed out", { userId: payload.userId });
      return { approved: false };
    }
    return { approved: result.output.approved };
  },
});
