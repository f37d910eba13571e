import {
  closeSync,
  fstatSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import type { Trade } from "@torghut/contracts";
import { pino } from "pino";
import type { Logger } from "../logger";
import { spoolCorruptSegments, spoolSources } from "./metrics";
import { SpoolCorruptionError, SpoolFullError, type SpooledRecord, type TickSpool } from "./ports";
import { checkMagic, encodeRecord, readRecord, SEGMENT_MAGIC, type ReadRecord } from "./segment-format";

export interface FileSpoolOptions {
  dir: string;
  /** Bytes on disk the spool may hold (SPOOL_MAX_BYTES). */
  maxBytes: number;
  /** A segment is closed and a new one started past this size. */
  segmentBytes: number;
  /**
   * "interval": fsync the open segment every `fsyncIntervalMs` (a crash loses at most that much of
   * the spool); "segment": fsync only when a segment is closed (fastest; a crash can lose the open
   * segment's unsynced tail, which the checksum then catches). Both fsync at close.
   */
  fsync: "interval" | "segment";
  fsyncIntervalMs: number;
  logger: Logger;
}

const DEFAULTS: Omit<FileSpoolOptions, "dir"> = {
  maxBytes: 4 * 1024 ** 3,
  segmentBytes: 64 * 1024 ** 2,
  fsync: "interval",
  fsyncIntervalMs: 1000,
  logger: pino({ level: "silent" }),
};

const SEGMENT_NAME = /^(\d{12})\.seg$/;
const segmentName = (n: number) => `${String(n).padStart(12, "0")}.seg`;

interface ReadSegment {
  number: number;
  /** Bytes it counts for in `bytes`. */
  size: number;
  fd: number;
  /** Its length on disk, and where the next record starts. */
  length: number;
  offset: number;
  /** The record at `offset`, read once however often it is peeked. */
  current: ReadRecord | null;
  corrupt: boolean;
}

/**
 * The spool as append-only, checksummed segment files in one directory (SPOOL_DIR). Writes are
 * synchronous: a record is in the page cache when `append` returns (and on disk at the next fsync),
 * so a process that dies right after still leaves it behind. Segments are read back oldest first,
 * one at a time, and deleted once every record in them is acknowledged.
 */
export class FileSpool implements TickSpool {
  private readonly options: FileSpoolOptions;
  /** Segment numbers on disk, oldest first (the open write segment last). */
  private readonly segments: number[] = [];
  private readonly sizes = new Map<number, number>();
  private writeFd: number | null = null;
  private writeSegment = 0;
  private dirty = false;
  private reading: ReadSegment | null = null;
  private totalBytes = 0;
  private pendingTicks = 0;
  private readonly timer: NodeJS.Timeout | null;
  private readonly source = () => ({ bytes: this.totalBytes, maxBytes: this.options.maxBytes });

  constructor(options: Partial<FileSpoolOptions> & { dir: string }) {
    this.options = { ...DEFAULTS, ...options };
    mkdirSync(this.options.dir, { recursive: true });
    for (const name of readdirSync(this.options.dir).sort()) {
      const match = SEGMENT_NAME.exec(name);
      if (!match) continue;
      const number = Number(match[1]);
      const size = statSync(join(this.options.dir, name)).size;
      this.segments.push(number);
      this.sizes.set(number, size);
      this.totalBytes += size;
    }
    this.writeSegment = this.segments.at(-1) ?? 0;
    if (this.segments.length > 0)
      this.options.logger.warn(
        { dir: this.options.dir, segments: this.segments.length, bytes: this.totalBytes },
        "spool holds ticks from an earlier run: they will be replayed into the database",
      );
    this.timer =
      this.options.fsync === "interval" ? setInterval(() => this.sync(), this.options.fsyncIntervalMs) : null;
    this.timer?.unref();
    spoolSources.add(this.source);
  }

  get bytes(): number {
    return this.totalBytes;
  }

  /** Ticks appended by this process and not yet acknowledged (records from an earlier run not included until read). */
  get ticks(): number {
    return this.pendingTicks;
  }

  get maxBytes(): number {
    return this.options.maxBytes;
  }

  append(trades: readonly Trade[]): void {
    if (trades.length === 0) return;
    const record = encodeRecord(trades);
    if (this.totalBytes + record.length + SEGMENT_MAGIC.length > this.options.maxBytes)
      throw new SpoolFullError(this.options.maxBytes, record.length);
    if (
      this.writeFd === null ||
      this.sizes.get(this.writeSegment)! + record.length > this.options.segmentBytes
    )
      this.openNextSegment();
    writeSync(this.writeFd!, record);
    this.sizes.set(this.writeSegment, this.sizes.get(this.writeSegment)! + record.length);
    this.totalBytes += record.length;
    this.pendingTicks += trades.length;
    this.dirty = true;
  }

  peek(): SpooledRecord | null {
    for (;;) {
      if (this.reading === null && !this.loadOldest()) return null;
      const reading = this.reading!;
      if (reading.current === null && reading.offset < reading.length) {
        const file = join(this.options.dir, segmentName(reading.number));
        const read = readRecord(reading.fd, reading.offset, reading.length, file);
        if (read instanceof SpoolCorruptionError) this.setAside(reading, read, file);
        else reading.current = read;
      }
      const record = reading.current;
      if (record === null) {
        this.finishSegment(reading);
        continue;
      }
      return {
        trades: record.trades,
        position: { segment: reading.number, offset: record.offset, end: record.end },
      };
    }
  }

  /** A damaged record: it and the rest of its segment are never replayed (the file is kept aside). */
  private setAside(reading: ReadSegment, error: SpoolCorruptionError, file: string): void {
    spoolCorruptSegments.inc();
    this.options.logger.error(
      { err: error, file },
      "spool segment damaged: replaying its intact records, setting the rest aside (never replayed)",
    );
    reading.corrupt = true;
    reading.offset = reading.length;
  }

  ack(record: SpooledRecord): void {
    const reading = this.reading;
    if (reading === null || reading.number !== record.position.segment) return;
    if (reading.current?.offset !== record.position.offset) return;
    reading.offset = reading.current.end;
    reading.current = null;
    this.pendingTicks = Math.max(0, this.pendingTicks - record.trades.length);
    if (reading.offset >= reading.length) this.finishSegment(reading);
  }

  sync(): void {
    if (this.writeFd !== null && this.dirty) {
      fsyncSync(this.writeFd);
      this.dirty = false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.closeWriteSegment();
    if (this.reading) closeSync(this.reading.fd);
    this.reading = null;
    spoolSources.delete(this.source);
  }

  private openNextSegment(): void {
    this.closeWriteSegment();
    this.writeSegment++;
    const fd = openSync(join(this.options.dir, segmentName(this.writeSegment)), "wx");
    writeSync(fd, SEGMENT_MAGIC);
    this.writeFd = fd;
    this.segments.push(this.writeSegment);
    this.sizes.set(this.writeSegment, SEGMENT_MAGIC.length);
    this.totalBytes += SEGMENT_MAGIC.length;
  }

  private closeWriteSegment(): void {
    if (this.writeFd === null) return;
    this.dirty = true;
    this.sync();
    closeSync(this.writeFd);
    this.writeFd = null;
  }

  /** Opens the oldest segment for reading; the segment being written is closed first so it is complete. */
  private loadOldest(): boolean {
    const number = this.segments[0];
    if (number === undefined) return false;
    if (number === this.writeSegment) this.closeWriteSegment();
    const file = join(this.options.dir, segmentName(number));
    const fd = openSync(file, "r");
    const length = fstatSync(fd).size;
    const size = this.sizes.get(number) ?? 0;
    this.reading = { number, size, fd, length, offset: SEGMENT_MAGIC.length, current: null, corrupt: false };
    const bad = checkMagic(fd, file);
    if (bad) this.setAside(this.reading, bad, file);
    return true;
  }

  /** Every intact record of the segment is committed: delete it, or set a damaged one aside. */
  private finishSegment(reading: ReadSegment): void {
    const file = join(this.options.dir, segmentName(reading.number));
    closeSync(reading.fd);
    if (reading.corrupt) renameSync(file, `${file}.corrupt`);
    else unlinkSync(file);
    this.segments.shift();
    this.sizes.delete(reading.number);
    this.totalBytes -= reading.size;
    this.reading = null;
  }
}
