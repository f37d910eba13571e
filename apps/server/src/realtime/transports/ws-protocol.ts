import { z } from "zod";
import type { Publication, WireFormat } from "../publication";
import { envelopeJson } from "./envelope";

// The /ws JSON protocol (docs/ws-protocol.md). Strict: unknown fields from clients are errors.
const id = z.union([z.string().max(64), z.number().int()]).optional();
const channelList = z.array(z.string().min(1).max(64)).min(1).max(100);

export const clientMessageSchema = z.discriminatedUnion("type", [
  z.strictObject({
    type: z.literal("subscribe"),
    channels: channelList,
    recover: z
      .record(
        z.string(),
        z.strictObject({ offset: z.number().int().nonnegative(), epoch: z.string().max(64) }),
      )
      .optional(),
    id,
  }),
  z.strictObject({ type: z.literal("unsubscribe"), channels: channelList, id }),
  z.strictObject({ type: z.literal("ping"), id }),
  z.strictObject({ type: z.literal("refresh"), token: z.string().min(1).max(8192), id }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

export type ServerControlMessage =
  | { type: "welcome"; sub: string; epoch: string; exp: number | null }
  | {
      type: "subscribed";
      channel: string;
      epoch: string;
      offset: number;
      recovered?: boolean;
      id?: string | number;
    }
  | { type: "unsubscribed"; channel: string; id?: string | number }
  | { type: "pong"; serverTime: number; id?: string | number }
  | { type: "refreshed"; exp: number | null; id?: string | number }
  | { type: "error"; code: string; message: string; channel?: string; id?: string | number };

export function encodeControl(message: ServerControlMessage): Buffer {
  return textFrame(Buffer.from(JSON.stringify(message)));
}

/**
 * A complete server-to-client WebSocket text frame (FIN, unmasked, no compression). Framing once
 * per publication instead of once per client lets the transport hand the same bytes to every
 * socket with a single write.
 */
export function textFrame(payload: Buffer): Buffer {
  const length = payload.length;
  const header = length < 126 ? 2 : length < 65_536 ? 4 : 10;
  const frame = Buffer.allocUnsafe(header + length);
  frame[0] = 0x81;
  if (header === 2) frame[1] = length;
  else if (header === 4) {
    frame[1] = 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  payload.copy(frame, header);
  return frame;
}

/**
 * The envelope as a ready WebSocket frame: built once per publication and shared by every /ws
 * client. The JSON text is the envelope format's, so it is stringified once for all transports.
 */
export const wsJsonFormat: WireFormat = {
  name: "ws-json-frame",
  encode(publication: Publication): Buffer {
    return textFrame(Buffer.from(envelopeJson(publication)));
  },
};
