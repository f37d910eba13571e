import { randomBytes } from "node:crypto";
import { z } from "zod";
import type { Publication, WireFormat } from "../publication";
import { envelopeJson } from "./envelope";
import type { WsServerControlMessage as ServerControlMessage } from "@torghut/contracts";
import { textFrame } from "./ws-protocol";

// The SignalR JSON hub protocol (aspnetcore specs/HubProtocol.md, TransportProtocols.md), the subset
// a market-data hub needs: handshake, invocations both ways, completions, pings and close.
export const RECORD_SEPARATOR = "\x1e";

export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
} as const;

/** WebSocket close code for a failed handshake (protocol error). */
export const HANDSHAKE_FAILED = 1002;

const record = (payload: string): Buffer => textFrame(Buffer.from(payload + RECORD_SEPARATOR));

/** Server→client invocation of `publication` with the /ws envelope: framed once per publication (the transport joins a flush's records into one message). */
export const signalrJsonFormat: WireFormat = {
  name: "signalr-json-frame",
  encode(publication: Publication): Buffer {
    return record(`{"type":1,"target":"publication","arguments":[${envelopeJson(publication)}]}`);
  },
};

export function encodeControlInvocation(
  message: ServerControlMessage | { type: "close"; code: number; reason: string },
): Buffer {
  return record(JSON.stringify({ type: MessageType.Invocation, target: "control", arguments: [message] }));
}

export function encodeCompletion(
  invocationId: string,
  outcome: { result: unknown } | { error: string },
): Buffer {
  return record(JSON.stringify({ type: MessageType.Completion, invocationId, ...outcome }));
}

export const PING_FRAME = record(`{"type":${MessageType.Ping}}`);

export function encodeClose(error: string | undefined, allowReconnect: boolean): Buffer {
  return record(
    JSON.stringify({ type: MessageType.Close, ...(error === undefined ? {} : { error }), allowReconnect }),
  );
}

export const HANDSHAKE_OK = `{}${RECORD_SEPARATOR}`;

export function handshakeError(error: string): string {
  return JSON.stringify({ error }) + RECORD_SEPARATOR;
}

export const handshakeSchema = z.object({ protocol: z.string(), version: z.number().int() });

// Permissive on unknown fields: other SignalR clients (.NET, Java) may send `headers`.
export const hubMessageSchema = z.object({ type: z.number().int() });
export const invocationSchema = z.object({
  type: z.literal(MessageType.Invocation),
  invocationId: z.string().max(64).optional(),
  target: z.string().min(1).max(64),
  arguments: z.array(z.unknown()).max(8),
  streamIds: z.array(z.string()).max(0).optional(),
});
export type Invocation = z.infer<typeof invocationSchema>;

/**
 * Splits the text of WebSocket messages into records. A message normally holds whole records, but
 * the spec allows several per message and a record split across messages, so a bounded
 * remainder is kept.
 */
export class RecordReader {
  private remainder = "";

  constructor(private readonly maxRecordChars: number) {}

  /** Complete records, or null when an unterminated record grew past the limit. */
  push(text: string): string[] | null {
    const parts = (this.remainder + text).split(RECORD_SEPARATOR);
    this.remainder = parts.pop()!;
    if (this.remainder.length > this.maxRecordChars) return null;
    return parts;
  }
}

export interface NegotiateResponse {
  connectionId: string;
  connectionToken?: string;
  negotiateVersion: number;
  availableTransports: { transport: "WebSockets"; transferFormats: ("Text" | "Binary")[] }[];
}

/**
 * WebSockets only. With negotiateVersion ≥ 1 the client connects with `id=<connectionToken>`;
 * version 0 clients use the connectionId, so that is returned as the key to expect.
 */
export function negotiateResponse(requestedVersion: number): {
  response: NegotiateResponse;
  connectKey: string;
} {
  const connectionId = randomBytes(16).toString("base64url");
  const availableTransports: NegotiateResponse["availableTransports"] = [
    { transport: "WebSockets", transferFormats: ["Text"] },
  ];
  if (requestedVersion >= 1) {
    const connectionToken = randomBytes(16).toString("base64url");
    return {
      response: { connectionId, connectionToken, negotiateVersion: 1, availableTransports },
      connectKey: connectionToken,
    };
  }
  return { response: { connectionId, negotiateVersion: 0, availableTransports }, connectKey: connectionId };
}
