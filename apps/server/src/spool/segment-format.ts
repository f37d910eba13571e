import { readSync } from "node:fs";
import { crc32 } from "node:zlib";
import type { Trade } from "@torghut/contracts";
import { SpoolCorruptionError } from "./ports";

/**
 * A segment is the 8-byte magic, then records: u32 payload length, u32 CRC-32 of the payload, the
 * payload (a JSON array of trades). Append-only; a reader trusts a record only when its length fits
 * in the file and its checksum matches, so a torn tail (a crash mid-write) or flipped bits are
 * caught, never replayed as garbage. Read back one record at a time (`readRecord`).
 */
export const SEGMENT_MAGIC = Buffer.from("TGSPOOL1", "ascii");
const HEADER_BYTES = 8;

export function encodeRecord(trades: readonly Trade[]): Buffer {
  const payload = Buffer.from(JSON.stringify(trades), "utf8");
  const record = Buffer.allocUnsafe(HEADER_BYTES + payload.length);
  record.writeUInt32BE(payload.length, 0);
  record.writeUInt32BE(crc32(payload), 4);
  payload.copy(record, HEADER_BYTES);
  return record;
}

/** One record read back: its trades and where it lies in its segment. */
export interface ReadRecord {
  trades: Trade[];
  offset: number;
  end: number;
}

const damage = (what: string, at: number, file: string) =>
  new SpoolCorruptionError(`${what} at byte ${at} of ${file}`, file, at);

/** The segment's magic, or the damage: a file that does not start with it is no spool segment. */
export function checkMagic(fd: number, file: string): SpoolCorruptionError | null {
  const magic = Buffer.alloc(SEGMENT_MAGIC.length);
  const read = readSync(fd, magic, 0, magic.length, 0);
  return read === magic.length && magic.equals(SEGMENT_MAGIC)
    ? null
    : damage("not a spool segment (bad magic)", 0, file);
}

/**
 * The record at `offset` of a segment `size` bytes long, or the damage found there (torn tail,
 * checksum, a payload that is no list of trades). Reads only that record: reading and parsing a
 * whole 64 MiB segment at once held the event loop, and the live feed on it, for seconds.
 */
export function readRecord(
  fd: number,
  offset: number,
  size: number,
  file: string,
): ReadRecord | SpoolCorruptionError {
  if (size - offset < HEADER_BYTES) return damage("truncated record header", offset, file);
  const header = Buffer.alloc(HEADER_BYTES);
  readSync(fd, header, 0, HEADER_BYTES, offset);
  const length = header.readUInt32BE(0);
  const end = offset + HEADER_BYTES + length;
  if (end > size) return damage("truncated record", offset, file);
  const payload = Buffer.alloc(length);
  readSync(fd, payload, 0, length, offset + HEADER_BYTES);
  if (crc32(payload) !== header.readUInt32BE(4)) return damage("checksum mismatch", offset, file);
  let trades: unknown;
  try {
    trades = JSON.parse(payload.toString("utf8"));
  } catch {
    return damage("unreadable payload", offset, file);
  }
  if (!Array.isArray(trades)) return damage("payload is not a list of trades", offset, file);
  return { trades: trades as Trade[], offset, end };
}
