// Task ids are shared with the web app, which triggers them by id.
export const TASK_IDS = {
  ingest: "ingest-document",
  extractPage: "extract-page",
  summarize: "summarize-document",
  reconcile: "reconcile-ledger",
  refund: "issue-refund",
} as const;

export const NIGHTLY_EXPORT_ID = "nightly-export" as const;

export type TaskId = (typeof TASK_IDS)[keyof typeof TASK_IDS];
