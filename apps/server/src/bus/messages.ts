import { BUS_WIRE_VERSION, busEnvelopeSchema, type BusDelivery, type BusMessage } from "@torghut/contracts";

// The bus's types and envelope schema live in @torghut/contracts; this is the codec.
export type { BusDelivery, BusMessage, BusMessageType } from "@torghut/contracts";

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
  const parsed = busEnvelopeSchema.safeParse(raw);
  if (!parsed.success)
    throw new BusDecodeError(`bus envelope rejected: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  const { from, sentAt, message } = parsed.data;
  return { from, sentAt, message: message as unknown as BusMessage };
}
