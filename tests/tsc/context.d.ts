// What the snippets of references/patterns.md refer to in the user's project (child tasks and
// helpers they call), declared so that tests/test_snippets_tsc.py can type-check the snippets
// exactly as they are inserted.
import type { Task } from "@trigger.dev/sdk";

declare global {
  const chargeCard: Task<"charge-card", { orderId: string }, { chargeId: string }>;
  const renderArticle: Task<"render-article", { articleId: string }, { html: string }>;
  const resizeImage: Task<"resize-image", { url: string }, { url: string; width: number }>;
  const sendReceipt: Task<"send-receipt", { orderId: string }, { sent: boolean }>;
  const generateThumbnail: Task<"generate-thumbnail", { uploadId: string }, { url: string }>;
  const createProfile: Task<"create-profile", { userId: string }, { profileId: string }>;
  const sendWelcomeEmail: Task<"send-welcome-email", { email: string }, { sent: boolean }>;
  function importRow(row: unknown): Promise<void>;
  interface DbClient {
    close(): Promise<void>;
  }
  function connectDb(): Promise<DbClient>;
}

export {};
