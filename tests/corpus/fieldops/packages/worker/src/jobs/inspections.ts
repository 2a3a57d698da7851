import { AbortTaskRunError, logger, schemaTask } from "@trigger.dev/sdk";
import { readFileSync } from "node:fs";
import path from "node:path";
import { z } from "zod";

const CHECKLIST_DIR = path.join(process.cwd(), "checklists");

export const fileInspectionReport = schemaTask({
  id: "file-inspection-report",
  schema: z.object({
    orderId: z.string(),
    skill: z.enum(["hvac", "plumbing", "electrical"]),
    answers: z.record(z.string(), z.boolean()),
    photoUrls: z.array(z.string().url()).max(20),
  }),
  run: async (report) => {
    const checklist = JSON.parse(readFileSync(path.join(CHECKLIST_DIR, `${report.skill}.json`), "utf8")) as string[]; // expect: sync-io-in-task
    const missing = checklist.filter((item) => !(item in report.answers));
    if (missing.length > 0) {
      throw new AbortTaskRunError(`Checklist incomplete: ${missing.join(", ")}`);
    }
    const archiveUrl = `https://${process.env.INSPECTION_BUCKET}.s3.amazonaws.com/${report.orderId}/`; // expect: env-unchecked
    const failed = Object.entries(report.answers).filter(([, ok]) => !ok).map(([item]) => item);
    if (failed.length === 0) {
      try {
        await fetch("https://api.fieldops.app/internal/inspections", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ orderId: report.orderId, archiveUrl, photos: report.photoUrls }),
        });
      } catch (error) { // expect: catch-without-rethrow
        logger.error("Could not file the passed inspection", { orderId: report.orderId, error });
      }
    } else {
      throw new Error(`Inspection failed on ${failed.length} items: ${failed.join(", ")}`);
    }
    logger.info("Inspection filed", { orderId: report.orderId, failed: failed.length });
    return { archiveUrl };
  },
});
