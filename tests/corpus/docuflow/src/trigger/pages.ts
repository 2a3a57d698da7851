import { logger, metadata, schemaTask, task } from "@trigger.dev/sdk";
import { z } from "zod";
import Anthropic from "@anthropic-ai/sdk";
import { openai, OCR_MODEL, SUMMARY_MODEL } from "../lib/ai";
import { db } from "../lib/db";
import { downloadToTemp, removeTemp } from "../lib/storage";
import { TASK_IDS } from "../lib/task-ids";
import { renderPagePreview } from "./thumbnails";

// Summaries use their own client: long documents need a longer timeout than the default.
const anthropic = new Anthropic({ timeout: 120_000, maxRetries: 0 });

type PagePayload = { documentId: string; storageKey: string; page: number };

function pagePrompt(language: string) {
  return [
    "Transcribe the scanned page exactly.",
    "Keep tables as Markdown tables and headings as Markdown headings.",
    `The document is written in ${language}.`,
  ].join(" ");
}

// Fanned out by ingest-document, one run per page of every upload.
export const extractPage = task({ // expect: task-no-concurrency-limit
  id: TASK_IDS.extractPage, // must-not: task-missing-id
  retry: { maxAttempts: 4, minTimeoutInMs: 2_000, maxTimeoutInMs: 30_000, factor: 2 },
  maxDuration: 120,
  run: async (payload: PagePayload) => {
    const { dir, file } = await downloadToTemp(payload.storageKey);
    try {
      const image = await renderPagePreview(file, payload.page);
      const completion = await openai.chat.completions.create({
        model: OCR_MODEL,
        messages: [
          { role: "system", content: pagePrompt("en") },
          { role: "user", content: [{ type: "image_url", image_url: { url: image } }] },
        ],
      });
      const text = completion.choices[0]?.message.content ?? "";
      await db.page.upsert({
        where: { documentId_number: { documentId: payload.documentId, number: payload.page } },
        create: { documentId: payload.documentId, number: payload.page, text },
        update: { text },
      });
      logger.info("Page extracted", { page: payload.page, characters: text.length });
      return { characters: text.length };
    } finally {
      await removeTemp(dir);
    }
  },
});

export const summarizeDocument = schemaTask({
  id: TASK_IDS.summarize, // must-not: task-missing-id
  schema: z.object({ documentId: z.string(), language: z.string() }),
  concurrency: { total: 5 },
  maxDuration: 5 * 60 * 1000,
  run: async ({ documentId, language }) => {
    const pages = await db.page.findMany({ where: { documentId }, orderBy: { number: "asc" } });
    metadata.set("pages", pages.length);
    const message = await anthropic.messages.create({ // expect: ai-sdk-without-retry
      model: SUMMARY_MODEL,
      max_tokens: 1024,
      messages: [
        {
          role: "user",
          content: `Summarize this document in ${language} in five bullet points:\n\n${pages
            .map((p) => p.text)
            .join("\n\n")}`,
        },
      ],
    });
    const summary = message.content
      .filter((block) => block.type === "text")
      .map((block) => block.text)
      .join("\n");
    await db.document.update({ where: { id: documentId }, data: { summary } });
    logger.info("Summary stored", { documentId, length: summary.length });
    return { summary };
  },
});
