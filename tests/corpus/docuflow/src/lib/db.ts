import { PrismaClient } from "@prisma/client";

const globalForPrisma = globalThis as unknown as { prisma?: PrismaClient };

export const db = globalForPrisma.prisma ?? new PrismaClient({ log: ["warn", "error"] });

if (process.env.NODE_ENV !== "production") {
  globalForPrisma.prisma = db;
}

export type DocumentStatus = "uploaded" | "processing" | "ready" | "failed";

export async function markDocument(documentId: string, status: DocumentStatus, error?: string) {
  await db.document.update({
    where: { id: documentId },
    data: { status, error: error ?? null, updatedAt: new Date() },
  });
}
