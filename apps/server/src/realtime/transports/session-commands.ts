import { z } from "zod";
import type { Clock, TimerHandle } from "../../clock";
import { AuthError } from "../auth";
import type { HubSession } from "../client-session";
import type { Principal } from "../transport";
import { CloseCode } from "../transport";
import type { WsServerControlMessage as ServerControlMessage } from "@torghut/contracts";

// Argument shapes of the SignalR hub methods and Socket.IO events; the same limits as /ws messages.
export const channelsArgument = z.array(z.string().min(1).max(64)).min(1).max(100);
export const recoverArgument = z
  .record(z.string(), z.strictObject({ offset: z.number().int().nonnegative(), epoch: z.string().max(64) }))
  .nullish();
export const tokenArgument = z.string().min(1).max(8192);
export type Recover = z.infer<typeof recoverArgument>;

const MAX_TIMER_MS = 2 ** 31 - 1;

export interface SessionCommandsOptions {
  clock: Clock;
  verify(token: string): Promise<Principal>;
  /** Sends one control message through the session queue (never conflated). */
  control(message: ServerControlMessage): void;
}

/** A client's correlation id, echoed on every reply to its message (/ws). */
export type RequestId = string | number | undefined;

/**
 * What a client can ask of the hub, independent of framing: every transport (/ws, SignalR,
 * Socket.IO) calls these; each reply goes out as a control message, and SignalR and Socket.IO also
 * return it as the invocation result / ack. Also owns the token-expiry timer (4001 unless refreshed).
 */
export class SessionCommands {
  private expiry: TimerHandle | null = null;

  constructor(
    private readonly session: HubSession,
    private readonly options: SessionCommandsOptions,
  ) {}

  welcome(epoch: string): ServerControlMessage {
    const message: ServerControlMessage = {
      type: "welcome",
      sub: this.session.principal.sub,
      epoch,
      exp: this.session.principal.exp ?? null,
    };
    this.options.control(message);
    this.armExpiry();
    return message;
  }

  /** Acks each channel, then queues its snapshot or the recovered publications behind the ack. */
  subscribe(channels: readonly string[], recover: Recover, id?: RequestId): ServerControlMessage[] {
    const replies: ServerControlMessage[] = [];
    for (const channel of channels) {
      const outcome = this.session.subscribe(channel, recover?.[channel]);
      if (!outcome.ok) {
        replies.push(
          this.reply({ type: "error", code: outcome.code, message: outcome.message, channel }, id),
        );
        continue;
      }
      const recovered = outcome.recovered === undefined ? {} : { recovered: outcome.recovered };
      replies.push(
        this.reply(
          { type: "subscribed", channel, epoch: outcome.epoch, offset: outcome.offset, ...recovered },
          id,
        ),
      );
      this.session.sendPublications(outcome.replay);
    }
    return replies;
  }

  unsubscribe(channels: readonly string[], id?: RequestId): ServerControlMessage[] {
    return channels.map((channel) => {
      this.session.unsubscribe(channel);
      return this.reply({ type: "unsubscribed", channel }, id);
    });
  }

  ping(id?: RequestId): ServerControlMessage {
    return this.reply({ type: "pong", serverTime: this.options.clock.now() }, id);
  }

  /** A new token for the same `sub`: its `exp` and `channels` apply at once. */
  async refresh(token: string, id?: RequestId): Promise<ServerControlMessage> {
    try {
      const principal = await this.options.verify(token);
      if (principal.sub !== this.session.principal.sub) {
        return this.reply(
          { type: "error", code: "invalid_token", message: "refresh must keep the same sub" },
          id,
        );
      }
      this.session.principal = principal;
      this.armExpiry();
      return this.reply({ type: "refreshed", exp: principal.exp ?? null }, id);
    } catch (error) {
      const code = error instanceof AuthError ? error.code : "invalid_token";
      return this.reply({ type: "error", code, message: "refresh token rejected" }, id);
    }
  }

  error(code: string, message: string): ServerControlMessage {
    return this.reply({ type: "error", code, message });
  }

  stop(): void {
    if (this.expiry !== null) this.options.clock.clearTimeout(this.expiry);
    this.expiry = null;
  }

  private reply(message: ServerControlMessage, id?: RequestId): ServerControlMessage {
    const sent = id === undefined ? message : { ...message, id };
    this.options.control(sent);
    return sent;
  }

  private armExpiry(): void {
    this.stop();
    const exp = this.session.principal.exp;
    if (exp === undefined) return;
    const { clock } = this.options;
    const due = exp * 1000 - clock.now();
    this.expiry = clock.setTimeout(
      () => {
        this.expiry = null;
        if (exp * 1000 > clock.now()) return this.armExpiry();
        this.reply({
          type: "error",
          code: "token_expired",
          message: "token expired; send a refresh before exp",
        });
        this.session.close(CloseCode.TOKEN_EXPIRED, "token expired");
      },
      Math.min(Math.max(0, due), MAX_TIMER_MS),
    );
  }
}
