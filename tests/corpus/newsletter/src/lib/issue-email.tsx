import { Body, Container, Heading, Html, Section, Text } from "@react-email/components";

export function IssueEmail({ subject, body }: { subject: string; body: string }) {
  return (
    <Html>
      <Body style={{ fontFamily: "Georgia, serif", background: "#fafaf7" }}>
        <Container style={{ maxWidth: 600, margin: "0 auto", padding: 24 }}>
          <Heading as="h1">{subject}</Heading>
          <Section dangerouslySetInnerHTML={{ __html: body }} />
          <Text style={{ color: "#888", fontSize: 12 }}>You get this because you subscribed on letterbox.email.</Text>
        </Container>
      </Body>
    </Html>
  );
}
