import type { Bar1m, Quote, Trade } from "@torghut/contracts";
import { z } from "zod";
import type { IndicatorUpdate, StatusMessage } from "../realtime/publication";

/**
 * What the ingest side hands to every realtime replica: the records clients see, plus the leader's
 * heartbeat (who leads, and the router status, so a replica that joins late learns both).
 */
export type BusMessage =
  | { type: "trade"; trade: Trade }
  | { type: "quote"; quote: Quote }
  | { type: "bar"; bar: Bar1m }
  | { type: "indicator"; indicator: IndicatorUpdate }
  | { type: "status"; status: StatusMessage }
  | { type: "leader"; replicaId: string; since: number; status: StatusMessage | null };

export type BusMessageType = BusMessage["type"];

/** A message as a subscriber receives it: who sent it (replica id) and when (sender's clock, epoch ms). */
export interface BusDelivery {
  message: BusMessage;
  from: string;
  sentAt: number;
}

/** Bumped when the envelope changes shape, so a rolling upgrade drops (and counts) what it cannot read. */
export const BUS_WIRE_VERSION = 1;

const envelopeSchema = z.object({
  v: z.literal(BUS_WIRE_VERSION),
  from: z.string().min(1),
  sentAt: z.number(),
  message: z.looseObject({
    type: z.enum(["trade", "quote", "bar", "indicator", "status", "leader"]),
  }),
});

export class BusDecodeError extends Error {
  override readonly name = "BusDecodeError";
  readonly retryable = false;
}

/** One encoding per message, whatever the number of replicas that receive it. */
export function encodeDelivery(delivery: BusDelivery): Uint8Array {
  return Buffer.from(JSON.stringify({ v: BUS_WIRE_VERSION, ...delivery }));
}

/**
 * The envelope is checked; the payload is trusted because only Torghut replicas of the same wire
 * version publish on these subjects (validating every tick again would cost more than the hop).
 */
export function decodeDelivery(bytes: Uint8Array): BusDelivery {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8"));
  } catch (error) {
    throw new BusDecodeError("bus message is not JSON", { cause: error });
  }
  const parsed = envelopeSchema.safeParse(raw);
  if (!parsed.success)
    throw new BusDecodeError(`bus envelope rejected: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const { from, sentAt, message } = parsed.data;
  return { from, sentAt, message: message as unknown as BusMessage };
}
