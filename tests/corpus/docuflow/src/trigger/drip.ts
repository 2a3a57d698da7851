import { logger, task, wait } from "@trigger.dev/sdk";
import { addDays } from "date-fns";
import { db } from "../lib/db";
import { sendReceiptEmail } from "@/services/mailer";

type DripStep = { template: string; sendAt: Date };

function onboardingSteps(signedUpAt: Date): DripStep[] {
  return [
    { template: "welcome", sendAt: signedUpAt },
    { template: "first-upload-tips", sendAt: addDays(signedUpAt, 1) },
    { template: "invite-your-team", sendAt: addDays(signedUpAt, 3) },
    { template: "trial-ending", sendAt: addDays(signedUpAt, 12) },
  ];
}

export const onboardingDrip = task({
  id: "onboarding-drip",
  run: async (payload: { userId: string; email: string; signedUpAt: string }) => {
    const steps = onboardingSteps(new Date(payload.signedUpAt));
    for (const step of steps) {
      await wait.until({ date: step.sendAt }); // must-not: wait-in-loop
      const user = await db.user.findUnique({ where: { id: payload.userId } });
      if (!user || user.unsubscribed) {
        logger.info("Drip stopped", { userId: payload.userId, at: step.template });
        return { stopped: step.template };
      }
      await db.emailLog.create({ data: { userId: user.id, template: step.template } });
      logger.info("Drip email queued", { template: step.template });
    }
    return { stopped: null };
  },
});

export const trialFollowUps = task({
  id: "trial-follow-ups",
  run: async (payload: { workspaceId: string; ownerEmail: string }) => {
    // Three daily nudges while the workspace has not uploaded anything.
    for (let day = 1; day <= 3; day++) {
      await wait.for({ hours: 24 }); // must-not: wait-in-loop
      const uploads = await db.document.count({ where: { workspaceId: payload.workspaceId } });
      if (uploads > 0) {
        logger.info("Workspace is active; no more nudges", { day });
        return;
      }
      await sendReceiptEmail({ invoiceId: `nudge-${day}`, email: payload.ownerEmail });
    }
  },
});

export const awaitVirusScan = task({
  id: "await-virus-scan",
  maxDuration: 300,
  run: async (payload: { documentId: string }) => {
    let scan = await db.virusScan.findUnique({ where: { documentId: payload.documentId } });
    while (!scan || scan.status === "pending") {
      await wait.for({ seconds: 5 }); // expect: wait-in-loop
      scan = await db.virusScan.findUnique({ where: { documentId: payload.documentId } });
    }
    logger.info("Scan finished", { status: scan.status });
    return { clean: scan.status === "clean" };
  },
});
