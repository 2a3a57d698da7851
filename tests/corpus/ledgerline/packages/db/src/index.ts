import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import * as schema from "./schema";

const connection = postgres(process.env.DATABASE_URL!, { max: 5, prepare: false });

export const db = drizzle(connection, { schema });
export * from "./schema";
