import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";

const bucket = process.env.DOCUMENTS_BUCKET!;

export const s3 = new S3Client({ region: process.env.AWS_REGION ?? "eu-central-1" });

export async function downloadToTemp(key: string): Promise<{ dir: string; file: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), "docuflow-"));
  const file = path.join(dir, path.basename(key));
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const bytes = await object.Body!.transformToByteArray();
  await writeFile(file, bytes);
  return { dir, file };
}

export async function uploadJson(key: string, value: unknown) {
  await s3.send(
    new PutObjectCommand({
      Bucket: bucket,
      Key: key,
      Body: JSON.stringify(value),
      ContentType: "application/json",
    }),
  );
}

export async function removeTemp(dir: string) {
  await rm(dir, { recursive: true, force: true });
}
