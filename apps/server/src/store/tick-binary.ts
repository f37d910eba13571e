import type { Trade } from "@torghut/contracts";
import { eventTimeParts } from "./event-time";
import type { PreparedBatch } from "./prepared-batch";

/**
 * Encoder for PostgreSQL's binary COPY format (one Buffer per batch). PostgreSQL parses binary rows
 * with almost no work (no float, timestamp or array text parsing), which is what bounds the insert
 * rate on this box. Written by hand: pg-copy-streams-binary streams one object per row through
 * several Transform streams, which costs more CPU than encoding the batch itself.
 *
 * Column order is TICK_COLUMNS; the wire format is documented in PostgreSQL's "COPY — Binary Format".
 */
/** The ticks columns in the order every bulk path (binary COPY, JSON insert) sends them. */
export const TICK_COLUMNS =
  "symbol, event_ns, source, trade_id, event_time, event_at, received_at, price, size, delayed, exchange, tape, conditions, suspicious";
const FIELD_COUNT = 14;

export interface BinaryBatch extends PreparedBatch {
  buffer: Buffer;
}

/** "PGCOPY\n\377\r\n\0", flags (int32 0), header extension length (int32 0). */
const SIGNATURE = Buffer.from([0x50, 0x47, 0x43, 0x4f, 0x50, 0x59, 0x0a, 0xff, 0x0d, 0x0a, 0x00]);
export const HEADER_BYTES = SIGNATURE.length + 8;
const TEXT_OID = 25;
const TWO_32 = 4_294_967_296;
/** 2000-01-01T00:00:00Z in Unix seconds: PostgreSQL's timestamp epoch. */
const PG_EPOCH_SECONDS = 946_684_800;
/** Fixed bytes of a row besides its strings: field count, 14 length words, 5 × 8-byte values, bools, array header. */
const ROW_FIXED_BYTES = 2 + FIELD_COUNT * 4 + 5 * 8 + 3 + 20;

/** A growable buffer with the few writers binary COPY needs; all integers big-endian. */
class Writer {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(capacity);
  }

  reserve(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.pos + bytes));
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  int16(value: number): void {
    this.buf.writeInt16BE(value, this.pos);
    this.pos += 2;
  }

  int32(value: number): void {
    this.buf.writeInt32BE(value, this.pos);
    this.pos += 4;
  }

  /** A safe-integer (|v| < 2^53) as int8. */
  int64(value: number): void {
    const hi = Math.floor(value / TWO_32);
    this.buf.writeInt32BE(hi, this.pos);
    this.buf.writeUInt32BE(value - hi * TWO_32, this.pos + 4);
    this.pos += 8;
  }

  /** seconds × 1e9 + nanos as int8, exact beyond 2^53 (event_ns reaches ~1.8e18). */
  nanosInt64(seconds: number, nanos: number): void {
    if (seconds < 0) {
      this.buf.writeBigInt64BE(BigInt(seconds) * 1_000_000_000n + BigInt(nanos), this.pos);
      this.pos += 8;
      return;
    }
    // Split so every product and sum stays below 2^53: seconds = sHi·2^16 + sLo.
    const sLo = seconds % 65_536;
    const a = ((seconds - sLo) / 65_536) * 1_000_000_000; // × 2^16 pending
    const b = sLo * 1_000_000_000 + nanos;
    const aLo = a % 65_536;
    const t = aLo * 65_536 + b;
    const tLo = t % TWO_32;
    this.buf.writeUInt32BE((a - aLo) / 65_536 + (t - tLo) / TWO_32, this.pos);
    this.buf.writeUInt32BE(tLo, this.pos + 4);
    this.pos += 8;
  }

  /** A length-prefixed float8 field, or NULL for NaN/±Infinity (the NOT NULL constraint refuses it). */
  float8Field(value: number): void {
    if (!Number.isFinite(value)) return this.int32(-1);
    this.int32(8);
    this.buf.writeDoubleBE(value, this.pos);
    this.pos += 8;
  }

  boolField(value: boolean): void {
    this.int32(1);
    this.buf[this.pos++] = value ? 1 : 0;
  }

  /** A length-prefixed UTF-8 string (the caller reserved length × 3 bytes). */
  text(value: string): void {
    const start = this.pos + 4;
    let end = start;
    const buf = this.buf;
    // Ticker symbols, ids and codes are short ASCII: a JS loop beats a call into the UTF-8 encoder.
    for (let i = 0; i < value.length; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) {
        end = start + buf.write(value, start, "utf8");
        break;
      }
      buf[end++] = code;
    }
    buf.writeInt32BE(end - start, this.pos);
    this.pos = end;
  }

  textField(value: string | null): void {
    if (value === null) this.int32(-1);
    else this.text(value);
  }

  /** text[]: ndim, has-nulls flag, element OID, then (length, lower bound) per dimension, then elements. */
  textArrayField(items: readonly string[]): void {
    const lengthAt = this.pos;
    this.pos += 4;
    this.int32(items.length === 0 ? 0 : 1);
    this.int32(0);
    this.int32(TEXT_OID);
    if (items.length > 0) {
      this.int32(items.length);
      this.int32(1);
      for (const item of items) this.text(item);
    }
    this.buf.writeInt32BE(this.pos - lengthAt - 4, lengthAt);
  }
}

/** Worst-case UTF-8 bytes of a row's strings (3 bytes per UTF-16 unit) plus their length words. */
function stringBytes(trade: Trade): number {
  let chars = trade.symbol.length + trade.source.length + trade.tradeId.length + trade.eventTime.length;
  chars += (trade.exchange?.length ?? 0) + (trade.tape?.length ?? 0);
  for (const condition of trade.conditions) chars += condition.length + 4;
  return chars * 3;
}

/**
 * One binary COPY payload for the batch. `event_time` is NULL when the raw string is exactly the
 * nine-digit UTC form of `event_ns` (what Alpaca sends): readers rebuild it, and the row is ~30
 * bytes smaller. Any other spelling (an offset, fewer digits) is kept verbatim.
 */
export function encodeBinary(trades: readonly Trade[]): BinaryBatch {
  const out = new Writer(HEADER_BYTES + 2 + trades.length * 160);
  SIGNATURE.copy(out.buf, 0);
  out.pos = SIGNATURE.length;
  out.int32(0);
  out.int32(0);
  const invalid: Trade[] = [];
  let rows = 0;
  for (const t of trades) {
    const time = eventTimeParts(t.eventTime);
    if (time === null) {
      invalid.push(t);
      continue;
    }
    out.reserve(ROW_FIXED_BYTES + stringBytes(t));
    out.int16(FIELD_COUNT);
    out.text(t.symbol);
    out.int32(8);
    out.nanosInt64(time.seconds, time.nanos);
    out.text(t.source);
    out.text(t.tradeId);
    out.textField(time.canonical ? null : t.eventTime);
    out.int32(8);
    // timestamptz on the wire: int8 microseconds since 2000-01-01 UTC, truncated like the text path.
    out.int64((time.seconds - PG_EPOCH_SECONDS) * 1_000_000 + Math.floor(time.nanos / 1000));
    if (Number.isFinite(t.receivedAt)) {
      out.int32(8);
      out.int64((Math.trunc(t.receivedAt) - PG_EPOCH_SECONDS * 1000) * 1000);
    } else {
      out.int32(-1);
    }
    out.float8Field(t.price);
    out.float8Field(t.size);
    out.boolField(t.delayed);
    out.textField(t.exchange);
    out.textField(t.tape);
    out.textArrayField(t.conditions);
    out.boolField(t.suspicious);
    rows++;
  }
  out.reserve(2);
  out.int16(-1);
  return { buffer: out.buf.subarray(0, out.pos), rows, invalid };
}
