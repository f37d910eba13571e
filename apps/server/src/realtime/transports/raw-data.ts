import type { RawData } from "ws";

/** A `ws` message as text, whichever shape `ws` delivered it in (Buffer, fragments, ArrayBuffer). */
export function rawToString(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.isBuffer(data) ? data.toString("utf8") : Buffer.from(data).toString("utf8");
}
