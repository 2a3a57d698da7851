import { integer, pgEnum, pgTable, text, timestamp, uuid } from "drizzle-orm/pg-core";

export const invoiceStatus = pgEnum("invoice_status", ["draft", "sent", "paid", "overdue", "void"]);

export const customers = pgTable("customers", {
  id: uuid("id").primaryKey().defaultRandom(),
  name: text("name").notNull(),
  email: text("email").notNull(),
  quickbooksId: text("quickbooks_id"),
});

export const invoices = pgTable("invoices", {
  id: uuid("id").primaryKey().defaultRandom(),
  customerId: uuid("customer_id").references(() => customers.id).notNull(),
  number: text("number").notNull(),
  totalCents: integer("total_cents").notNull(),
  status: invoiceStatus("status").default("draft").notNull(),
  dueAt: timestamp("due_at").notNull(),
  pdfUrl: text("pdf_url"),
  remindersSent: integer("reminders_sent").default(0).notNull(),
});
