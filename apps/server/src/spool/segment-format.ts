import { crc32 } from "node:zlib";
import type { Trade } from "@torghut/contracts";
import { SpoolCorruptionError } from "./ports";

/**
 * A segment is the 8-byte magic, then records: u32 payload length, u32 CRC-32 of the payload, the
 * payload (a JSON array of trades). Append-only; a reader trusts a record only when its length fits
 * in the file and its checksum matches, so a torn tail (a crash mid-write) or flipped bits are
 * caught, never replayed as garbage.
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

export interface DecodedRecord {
  /** The checksummed JSON, parsed only when the record's turn comes (`parseRecord`). */
  payload: Buffer;
  offset: number;
  end: number;
}

/**
 * Every intact record up to the first damage; `corruption` says where and what the damage was.
 * Checks framing and checksums only: parsing a whole 64 MiB segment at once would hold the event
 * loop (and the live feed on it) for a second or more, and the memory of every trade in it.
 */
export function decodeSegment(
  bytes: Buffer,
  file: string,
): { records: DecodedRecord[]; corruption: SpoolCorruptionError | null } {
  const records: DecodedRecord[] = [];
  const damaged = (what: string, at: number) => ({
    records,
    corruption: new SpoolCorruptionError(`${what} at byte ${at} of ${file}`, file, at),
  });
  if (bytes.length < SEGMENT_MAGIC.length || !bytes.subarray(0, SEGMENT_MAGIC.length).equals(SEGMENT_MAGIC))
    return damaged("not a spool segment (bad magic)", 0);
  let offset = SEGMENT_MAGIC.length;
  while (offset < bytes.length) {
    if (bytes.length - offset < HEADER_BYTES) return damaged("truncated record header", offset);
    const length = bytes.readUInt32BE(offset);
    const end = offset + HEADER_BYTES + length;
    if (end > bytes.length) return damaged("truncated record", offset);
    const payload = bytes.subarray(offset + HEADER_BYTES, end);
    if (crc32(payload) !== bytes.readUInt32BE(offset + 4)) return damaged("checksum mismatch", offset);
    records.push({ payload, offset, end });
    offset = end;
  }
  return { records, corruption: null };
}

/** A record's trades; throws SpoolCorruptionError for a payload that is no list of trades. */
export function parseRecord(record: DecodedRecord, file: string): Trade[] {
  const damaged = (what: string) =>
    new SpoolCorruptionError(`${what} at byte ${record.offset} of ${file}`, file, record.offset);
  let trades: unknown;
  try {
    trades = JSON.parse(record.payload.toString("utf8"));
  } catch {
    throw damaged("unreadable payload");
  }
  if (!Array.isArray(trades)) throw damaged("payload is not a list of trades");
  return trades as Trade[];
}
