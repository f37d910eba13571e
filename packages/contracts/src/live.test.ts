import assert from "node:assert/strict";
import { test } from "node:test";
import { liveEnvelopeSchema, statusMessageSchema } from "./live";
import { wsClientMessageSchema } from "./ws-protocol";

test("a status publication parses as the envelope and its data as a status message", () => {
  const frame = {
    type: "status",
    channel: "status",
    offset: 3,
    epoch: "e1",
    publishedAt: 1_700_000_000_000,
    data: {
      state: "FALLBACK_ACTIVE",
      activeSource: "yahoo",
      delayed: true,
      reason: "alpaca down",
      changedAt: 1,
    },
  };
  const envelope = liveEnvelopeSchema.parse(frame);
  assert.equal(statusMessageSchema.parse(envelope.data).activeSource, "yahoo");
});

test("an envelope with an unknown type or a negative offset is refused", () => {
  const base = { channel: "lines:AAPL", epoch: "e1", publishedAt: 1, data: null };
  assert.equal(liveEnvelopeSchema.safeParse({ ...base, type: "trade", offset: 0 }).success, false);
  assert.equal(liveEnvelopeSchema.safeParse({ ...base, type: "tick", offset: -1 }).success, false);
  assert.equal(liveEnvelopeSchema.safeParse({ ...base, type: "tick", offset: 0 }).success, true);
});

test("/ws client messages are strict: an unknown field is an error", () => {
  assert.equal(wsClientMessageSchema.safeParse({ type: "ping", id: 1 }).success, true);
  assert.equal(wsClientMessageSchema.safeParse({ type: "ping", extra: true }).success, false);
});
