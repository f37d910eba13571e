import type { Publication, WireFormat } from "../publication";
import { envelopeJson } from "./envelope";
import type { WsServerControlMessage as ServerControlMessage } from "@torghut/contracts";
import { textFrame } from "./ws-protocol";

// Socket.IO v5 packets on the main namespace: `2["event",arg]` is an EVENT; engine.io prefixes a
// message packet with "4". Both are written once per publication, never per client.
const packets = new WeakMap<Buffer, string>();

/**
 * A publication as the complete WebSocket frame of the engine.io message `42["publication",{…}]`
 * (handed to engine.io as a pre-encoded frame, the same trick socket.io's broadcast uses), with
 * the socket.io packet text kept beside it for clients still on HTTP long-polling.
 */
export const socketIoFormat: WireFormat = {
  name: "socketio-event-frame",
  encode(publication: Publication): Buffer {
    const packet = `2["publication",${envelopeJson(publication)}]`;
    const frame = textFrame(Buffer.from(`4${packet}`));
    packets.set(frame, packet);
    return frame;
  },
};

/** The socket.io packet text of a frame from socketIoFormat. */
export function packetOf(frame: Buffer): string {
  let packet = packets.get(frame);
  if (packet === undefined) {
    // Not ours (cannot happen through the hub); decode rather than fail.
    const header = frame[1]! < 126 ? 2 : frame[1] === 126 ? 4 : 10;
    packet = frame.toString("utf8", header + 1);
  }
  return packet;
}

export type CloseNotice = { type: "close"; code: number; reason: string };

/** A `control` event; control messages are rare and per client, so they stay plain packet text. */
export function encodeSocketIoControl(message: ServerControlMessage | CloseNotice): string {
  return `2${JSON.stringify(["control", message])}`;
}
