import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { pino } from "pino";
import { createDb, type Database } from "@torghut/db";
import { ManualClock } from "../clock";
import { registry } from "../metrics/registry";
import { sampleTrades } from "../../test/fixtures/sample-trades";
import { TcpProxy } from "@torghut/testing";
import { RejectionRecorder } from "./rejection-recorder";

const dropped = async (reason: string) =>
  (await registry.getSingleMetric("torghut_rejections_dropped_total")!.get()).values.find(
    (v) => v.labels.reason === reason,
  )?.value ?? 0;

const proxy = new TcpProxy("127.0.0.1", 9); // every connection is reset: the database is down
let database: Database;
before(async () => {
  await proxy.start();
  proxy.cut();
  database = await createDb({ url: `postgres://postgres@127.0.0.1:${proxy.port}/none`, migrate: false });
});
after(async () => {
  await database.close();
  await proxy.close();
});

test("with the database down the recorder keeps its bound and counts every rejection it drops", async () => {
  const logs: { msg: string; dropped?: number }[] = [];
  const logger = pino({ level: "warn" }, { write: (line: string) => void logs.push(JSON.parse(line)) });
  const recorder = new RejectionRecorder(database, new ManualClock(), logger, 10);
  const before = { full: await dropped("buffer_full"), shutdown: await dropped("shutdown") };
  for (const trade of sampleTrades(15))
    recorder.record({ trade, reason: "rejected_by_database", detail: "[23502]", rejectedAt: 0 });
  await recorder.flush(); // fails: the 10 kept stay pending
  assert.equal(recorder.droppedTotal, 5);
  await recorder.close(); // still down: the 10 pending are dropped, and counted
  assert.equal(recorder.droppedTotal, 15);
  assert.deepEqual(
    [(await dropped("buffer_full")) - before.full, (await dropped("shutdown")) - before.shutdown],
    [5, 10],
  );
  assert.ok(logs.some((l) => l.msg.includes("audit buffer full") && l.dropped === 5));
  assert.ok(logs.some((l) => l.msg.includes("dropped at shutdown") && l.dropped === 10));
});
