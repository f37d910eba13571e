import assert from "node:assert/strict";
import {
  appendFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { crc32 } from "node:zlib";
import { after, test } from "node:test";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { registry } from "../metrics/registry";
import { FileSpool } from "./file-spool";
import { encodeRecord } from "./segment-format";
import { drain, tickSpoolContract } from "../../test/support/tick-spool-contract";

const root = mkdtempSync(join(tmpdir(), "torghut-spool-"));
after(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `s${n++}`);

tickSpoolContract("FileSpool", (maxBytes) => new FileSpool({ dir: freshDir(), maxBytes }));

const corruptCount = async () =>
  (await registry.getSingleMetric("torghut_spool_corrupt_segments_total")!.get()).values[0]?.value ?? 0;

test("FileSpool: what one process appended, the next one replays in order, across segments", () => {
  const dir = freshDir();
  const writer = new FileSpool({ dir, segmentBytes: 1500, fsync: "segment" });
  for (let i = 0; i < 10; i++) writer.append(sampleTrades(2, i * 2));
  writer.close();
  assert.ok(readdirSync(dir).length > 3, "small segments rotate");
  const reader = new FileSpool({ dir });
  const replayed = drain(reader);
  assert.deepEqual(
    replayed.flat(),
    sampleTrades(20).map((t) => t.tradeId),
  );
  reader.close();
  assert.deepEqual(readdirSync(dir), [], "replayed segments are deleted");
});

test("FileSpool: a torn tail (crash mid-write) is reported and skipped; the intact records replay", async () => {
  const dir = freshDir();
  const writer = new FileSpool({ dir });
  for (let i = 0; i < 3; i++) writer.append(sampleTrades(2, i * 2));
  writer.close();
  const [segment] = readdirSync(dir);
  const file = join(dir, segment!);
  truncateSync(file, readFileSync(file).length - 10);
  const before = await corruptCount();
  const reader = new FileSpool({ dir });
  assert.deepEqual(drain(reader), [
    ["t0", "t1"],
    ["t2", "t3"],
  ]);
  reader.close();
  assert.equal(await corruptCount(), before + 1);
  assert.deepEqual(readdirSync(dir), [`${segment}.corrupt`], "set aside for inspection, never read again");
});

test("FileSpool: a flipped byte fails the checksum: that record and the rest of its segment are never replayed", async () => {
  const dir = freshDir();
  const writer = new FileSpool({ dir, segmentBytes: 2000 });
  for (let i = 0; i < 6; i++) writer.append(sampleTrades(2, i * 2));
  writer.close();
  const segments = readdirSync(dir).sort();
  assert.ok(segments.length >= 2);
  const file = join(dir, segments[0]!);
  const bytes = readFileSync(file);
  const target = bytes.indexOf('"t2"'); // inside the second record's payload
  assert.ok(target > 0);
  bytes[target + 2] = "9".charCodeAt(0);
  writeFileSync(file, bytes);
  const before = await corruptCount();
  const reader = new FileSpool({ dir });
  const replayed = drain(reader).flat();
  reader.close();
  assert.equal(await corruptCount(), before + 1);
  // t0,t1 (intact, before the damage), then the next segment whole; t2..t3 and the rest of the first never.
  const rest = replayed.slice(2);
  const from = Number(rest[0]?.slice(1));
  assert.deepEqual(replayed.slice(0, 2), ["t0", "t1"]);
  assert.ok(from > 4, `damaged segment replayed: ${replayed.join(",")}`);
  assert.deepEqual(
    rest,
    sampleTrades(12 - from, from).map((t) => t.tradeId),
  );
});

test("FileSpool: a checksummed record that is no list of trades is caught at its turn: it and the rest of its segment are set aside", async () => {
  const dir = freshDir();
  const writer = new FileSpool({ dir });
  writer.append(sampleTrades(2, 0));
  writer.close();
  const [segment] = readdirSync(dir);
  const file = join(dir, segment!);
  const payload = Buffer.from('{"not":"a list"}', "utf8");
  const header = Buffer.alloc(8);
  header.writeUInt32BE(payload.length, 0);
  header.writeUInt32BE(crc32(payload), 4);
  appendFileSync(file, Buffer.concat([header, payload, encodeRecord(sampleTrades(2, 2))]));
  const before = await corruptCount();
  const reader = new FileSpool({ dir });
  assert.deepEqual(drain(reader), [["t0", "t1"]]);
  reader.close();
  assert.equal(await corruptCount(), before + 1);
  assert.deepEqual(readdirSync(dir), [`${segment}.corrupt`]);
});
