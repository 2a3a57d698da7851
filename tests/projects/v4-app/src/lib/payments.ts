export type Charge = { id: string; amountInCents: number };

export async function chargeCustomer(
  customerId: string,
  amountInCents: number,
  idempotencyKey: string,
): Promise<Charge> {
  const response = await fetch("https://payments.example.com/charges", {
    method: "POST",
    headers: { "content-type": "application/json", "idempotency-key": idempotencyKey },
    body: JSON.stringify({ customerId, amountInCents }),
  });
  if (!response.ok) {
    throw new Error(`charge failed with ${response.status}`);
  }
  return (await response.json()) as Charge;
}

export async function deliverEmail(to: string, subject: string, body: string): Promise<void> {
  const response = await fetch("https://mail.example.com/send", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ to, subject, body }),
  });
  if (!response.ok) {
    throw new Error(`email failed with ${response.status}`);
  }
}
