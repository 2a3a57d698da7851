import { tasks } from "@trigger.dev/sdk";
import { NextResponse } from "next/server";
import type { ingestDocument } from "@/trigger/ingest";
import { db } from "@/lib/db";

export async function POST(request: Request) {
  const body = (await request.json()) as { storageKey: string; workspaceId: string };
  const document = await db.document.create({
    data: { storageKey: body.storageKey, workspaceId: body.workspaceId, status: "uploaded" },
  });
  const handle = await tasks.trigger<typeof ingestDocument>("ingest-document", { // must-not: unknown-task-id
    documentId: document.id,
    storageKey: body.storageKey,
    workspaceId: body.workspaceId,
    language: "en",
  });
  return NextResponse.json({ documentId: document.id, runId: handle.id });
}
