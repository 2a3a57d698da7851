import { concurrencyLimit, queue } from "@trigger.dev/sdk";

// All outgoing email runs share one queue, so they can be watched and paused together.
export const emailQueue = queue({ name: "transactional-email" });

// Our email provider allows 10 concurrent requests across all email tasks.
export const emailProviderLimit = concurrencyLimit({ name: "email-provider", total: 10 });
