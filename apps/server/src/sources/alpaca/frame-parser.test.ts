import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { Bar1m, Quote, Trade } from "@torghut/contracts";
import { tradeSchema, quoteSchema, bar1mSchema } from "@torghut/contracts";
import { FrameParser, type FrameSink } from "./frame-parser";
import type { ControlMessage } from "./messages";

function collect(delayed = false) {
  const seen = {
    trades: [] as Trade[],
    quotes: [] as Quote[],
    bars: [] as Bar1m[],
    controls: [] as ControlMessage[],
    notices: [] as string[],
  };
  const sink: FrameSink = {
    trade: (t) => seen.trades.push(t),
    quote: (q) => seen.quotes.push(q),
    bar: (b) => seen.bars.push(b),
    control: (c) => seen.controls.push(c),
    notice: (m) => seen.notices.push(m),
  };
  return { seen, parser: new FrameParser(sink, { delayed }) };
}

const trade =
  '{"T":"t","i":96921,"S":"AAPL","x":"D","p":126.55,"s":1,"t":"2021-02-22T15:51:44.208123456Z","c":["@","I"],"z":"C","r":"extra"}';
const quote =
  '{"T":"q","S":"AMD","bx":"U","bp":87.66,"bs":1,"ax":"Q","ap":87.68,"as":4,"t":"2021-02-22T15:51:45.335689322Z","c":["R"],"z":"C"}';
const bar =
  '{"T":"b","S":"SPY","o":388.985,"h":389.13,"l":388.975,"c":389.12,"v":49378,"n":461,"vw":389.062639,"t":"2021-02-22T19:15:00Z"}';

describe("FrameParser", () => {
  test("a batched mixed array yields every element, timestamps kept at full precision", () => {
    const { seen, parser } = collect();
    assert.equal(parser.parse(`[${trade},${quote},${bar}]`, 1_700_000_000_000), 3);
    assert.equal(seen.trades.length, 1);
    const t = seen.trades[0]!;
    assert.equal(t.eventTime, "2021-02-22T15:51:44.208123456Z");
    assert.equal(t.tradeId, "96921");
    assert.equal(t.receivedAt, 1_700_000_000_000);
    assert.equal(t.delayed, false);
    assert.deepEqual(t.conditions, ["@", "I"]);
    assert.ok(tradeSchema.safeParse(t).success, "trade fits the contract");
    assert.ok(quoteSchema.safeParse(seen.quotes[0]).success, "quote fits the contract");
    assert.equal(seen.quotes[0]!.askSize, 400, "round lots become shares");
    assert.ok(bar1mSchema.safeParse(seen.bars[0]).success, "bar fits the contract");
    assert.equal(seen.bars[0]!.tradeCount, 461);
  });

  test("the delayed feed marks every record delayed", () => {
    const { seen, parser } = collect(true);
    parser.parse(`[${trade},${quote}]`, 1);
    assert.equal(seen.trades[0]!.delayed, true);
    assert.equal(seen.quotes[0]!.delayed, true);
  });

  test("unknown T values are counted and skipped; known unused types are ignored", () => {
    const { seen, parser } = collect();
    parser.parse(`[{"T":"zz","S":"AAPL"},${trade},{"T":"d","S":"AAPL"},{"T":"l","S":"X","u":1,"d":0.5}]`, 1);
    assert.equal(seen.trades.length, 1);
    assert.equal(parser.counters.unknownTypes, 1);
    assert.equal(parser.counters.ignored, 2);
    assert.equal(parser.counters.malformed, 0);
  });

  test("malformed frames and elements are counted; valid neighbours are kept", () => {
    const { seen, parser } = collect();
    assert.equal(parser.parse('[{"T":"t","S":"AAPL","p":1', 1), 0);
    parser.parse(
      `[${trade},{"T":"t","S":"AAPL","i":"x","p":"not-a-price","s":-5,"t":"yesterday"},{"T":"q","bp":1.5,"ap":1.4,"t":"2024-13-45T99:99:99Z"},null,7,${bar}]`,
      1,
    );
    assert.equal(seen.trades.length, 1);
    assert.equal(seen.bars.length, 1);
    assert.equal(parser.counters.malformed, 5);
    assert.equal(parser.counters.data, 2);
  });

  test("control messages: extra fields pass and missing subscription keys default to []", () => {
    const { seen, parser } = collect();
    parser.parse('[{"T":"success","msg":"connected","extra":1}]', 1);
    parser.parse('[{"T":"subscription","trades":["AAPL"],"quotes":["AMD"]}]', 1);
    parser.parse('[{"T":"error","code":406,"msg":"connection limit exceeded"}]', 1);
    assert.equal(seen.controls.length, 3);
    const sub = seen.controls[1]!;
    assert.ok(sub.T === "subscription");
    assert.deepEqual(sub.bars, []);
    assert.deepEqual(sub.corrections, []);
    assert.deepEqual(sub.trades, ["AAPL"]);
    assert.ok(seen.controls[2]!.T === "error" && seen.controls[2]!.code === 406);
  });

  test("status, correction and cancel messages become notices", () => {
    const { seen, parser } = collect();
    parser.parse(
      '[{"T":"s","S":"AAPL","sc":"H","sm":"Trading Halt","rc":"T12","rm":"News","t":"2021-02-22T19:15:00Z","z":"C"},' +
        '{"T":"x","S":"GOOGL","i":465,"x":"D","p":105.31,"s":300,"a":"C","z":"C","t":"2023-04-06T13:15:42.83540958Z"}]',
      1,
    );
    assert.equal(seen.notices.length, 2);
    assert.match(seen.notices[0]!, /AAPL trading status H Trading Halt/);
    assert.match(seen.notices[1]!, /GOOGL trade 465 cancel/);
  });
});

describe("FrameParser symbol checks (issue #16 finding 10)", () => {
  test("a symbol outside the contracts' shape is refused and counted, its neighbours kept", () => {
    const { seen, parser } = collect();
    const bad = trade.replace('"S":"AAPL"', `"S":"a'b"`);
    const long = trade.replace('"S":"AAPL"', `"S":"${"X".repeat(40)}"`);
    assert.equal(parser.parse(`[${bad},${long},${trade}]`, 1), 1);
    assert.deepEqual(
      seen.trades.map((t) => t.symbol),
      ["AAPL"],
    );
    assert.equal(parser.counters.invalidSymbols, 2);
    assert.equal(parser.counters.malformed, 0, "counted by its own reason, not as malformed");
  });

  test("a symbol we did not subscribe is refused as unknown; class shares (BRK.B) pass", () => {
    const seen: string[] = [];
    const sink: FrameSink = {
      trade: (t) => seen.push(t.symbol),
      quote: () => undefined,
      bar: () => undefined,
      control: () => undefined,
      notice: () => undefined,
    };
    const wanted = new Set(["AAPL", "BRK.B"]);
    const parser = new FrameParser(sink, { delayed: false, wants: (s) => wanted.has(s) });
    const msft = trade.replace('"S":"AAPL"', '"S":"MSFT"');
    const brk = trade.replace('"S":"AAPL"', '"S":"BRK.B"');
    assert.equal(parser.parse(`[${msft},${brk},${trade}]`, 1), 2);
    assert.deepEqual(seen, ["BRK.B", "AAPL"]);
    assert.equal(parser.counters.unknownSymbols, 1);
  });
});
