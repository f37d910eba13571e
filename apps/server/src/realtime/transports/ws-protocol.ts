import type { WsServerControlMessage } from "@torghut/contracts";
import type { Publication, WireFormat } from "../publication";
import { envelopeJson } from "./envelope";

// The /ws control messages live in @torghut/contracts (docs/ws-protocol.md); this is their framing.

export function encodeControl(message: WsServerControlMessage): Buffer {
  return textFrame(Buffer.from(JSON.stringify(message)));
}

/**
 * A complete server-to-client WebSocket text frame (FIN, unmasked, no compression). Framing once
 * per publication instead of once per client lets the transport hand the same bytes to every
 * socket with a single write.
 */
export function textFrame(payload: Buffer): Buffer {
  const frame = allocTextFrame(payload.length);
  payload.copy(frame, frame.length - payload.length);
  return frame;
}

/** A text frame's buffer with its header written; the last `length` bytes are the payload to fill. */
export function allocTextFrame(length: number): Buffer {
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
