import { logger, task } from "@trigger.dev/sdk";
import { postmark } from "../lib/postmark";

export const sendWelcome = task({
  id: "send-welcome",
  run: async (payload: { email: string; firstName?: string }) => {
    await postmark.sendEmailWithTemplate({
      From: "hello@letterbox.email",
      To: payload.email,
      TemplateAlias: "welcome",
      TemplateModel: { first_name: payload.firstName ?? "there" },
    });
    logger.info("Welcome sent", { email: payload.email });
  },
});

export const confirmSubscription = task({
  id: "confirm-subscription",
  run: async (payload: { email: string; token: string; firstName?: string }) => {
    const response = await fetch(`https://api.letterbox.email/confirm/${payload.token}`, { method: "POST" });
    if (!response.ok) {
      throw new Error(`Confirmation failed with ${response.status}`);
    }
    logger.info("Subscription confirmed", { email: payload.email });
    sendWelcome.trigger({ email: payload.email, firstName: payload.firstName }); // expect: unawaited-trigger
    return { confirmed: true };
  },
});

export const resendConfirmation = task({
  id: "resend-confirmation",
  run: async (payload: { email: string; token: string }) => {
    logger.info("Resending confirmation", { email: payload.email });
    return await confirmSubscription.triggerAndWait(payload); // must-not: unchecked-child-result
  },
});
