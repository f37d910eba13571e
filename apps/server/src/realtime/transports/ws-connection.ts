import { wsClientMessageSchema, type WsClientMessage, type WsServerControlMessage } from "@torghut/contracts";
import type { RawData } from "ws";
import { rawToString } from "./raw-data";
import type { Clock } from "../../clock";
import type { HubSession } from "../client-session";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import { SessionCommands } from "./session-commands";
import { encodeControl } from "./ws-protocol";

export interface WsConnectionOptions {
  clock: Clock;
  verify(token: string): Promise<Principal>;
  /** Malformed client messages tolerated (each answered with an error) before closing with 1008. */
  maxMalformedMessages: number;
}

/**
 * One /ws client once upgraded: parses its JSON messages (docs/ws-protocol.md) and hands them to
 * the same SessionCommands SignalR and Socket.IO use, echoing each message's `id` on its replies.
 */
export class WsConnection {
  private readonly commands: SessionCommands;
  private malformed = 0;

  constructor(
    private readonly session: HubSession,
    private readonly options: WsConnectionOptions,
  ) {
    this.commands = new SessionCommands(session, {
      clock: options.clock,
      verify: (token) => options.verify(token),
      control: (message: WsServerControlMessage) => session.sendControl(encodeControl(message)),
    });
  }

  /** Greets the client and arms its token's expiry. */
  open(epoch: string): void {
    this.commands.welcome(epoch);
  }

  receive(data: RawData, isBinary: boolean): void {
    let parsed: ReturnType<typeof wsClientMessageSchema.safeParse> | null = null;
    if (!isBinary) {
      try {
        parsed = wsClientMessageSchema.safeParse(JSON.parse(rawToString(data)));
      } catch {
        parsed = null;
      }
    }
    if (parsed?.success === true) return this.handle(parsed.data);
    this.malformed += 1;
    this.commands.error(
      "bad_request",
      parsed === null ? "expected a JSON text message" : "unknown or invalid message",
    );
    if (this.malformed > this.options.maxMalformedMessages)
      this.session.close(CloseCode.POLICY_VIOLATION, "too many malformed messages");
  }

  /** The socket closed: no expiry may fire for it any more. */
  closed(): void {
    this.commands.stop();
  }

  private handle(message: WsClientMessage): void {
    switch (message.type) {
      case "subscribe":
        this.commands.subscribe(message.channels, message.recover, message.id);
        return;
      case "unsubscribe":
        this.commands.unsubscribe(message.channels, message.id);
        return;
      case "ping":
        this.commands.ping(message.id);
        return;
      case "refresh":
        // The reply is sent as a control message; nothing waits on it here.
        void this.commands.refresh(message.token, message.id);
        return;
    }
  }
}
