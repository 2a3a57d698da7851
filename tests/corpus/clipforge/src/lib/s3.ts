import { GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { readFile, writeFile } from "node:fs/promises";

const s3 = new S3Client({});
const BUCKET = process.env.CLIPS_BUCKET ?? "clipforge-dev";

export async function fetchSource(key: string, to: string) {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  await writeFile(to, await object.Body!.transformToByteArray());
}

export async function storeFile(from: string, key: string, contentType: string) {
  await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: await readFile(from), ContentType: contentType }));
  return `s3://${BUCKET}/${key}`;
}
