import Redis from "ioredis";
import type { Stop } from "./geo";

const redis = new Redis(process.env.REDIS_URL!);
redis.on("error", () => undefined);

export type Technician = { id: string; homeBase: string; skills: string[]; stops: Stop[] };

export async function technicianRoster(): Promise<Technician[]> {
  const raw = await redis.get("roster:today");
  return raw ? (JSON.parse(raw) as Technician[]) : [];
}

export async function saveRoute(technicianId: string, orderIds: string[]) {
  await redis.set(`route:${technicianId}`, JSON.stringify(orderIds), "EX", 60 * 60 * 20);
}
