/** Market events as the model produces them; alpaca/messages.ts turns them into wire JSON. */
export interface Bar {
  /** Bar start, epoch ms. */
  t: number;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
  n: number;
  vw: number;
}

interface Stamped {
  S: string;
  /** Event time: epoch ms plus the nanoseconds inside that millisecond. */
  ms: number;
  ns: number;
}

export interface TradeEvent extends Stamped {
  T: "t";
  i: number;
  x: string;
  p: number;
  s: number;
  c: readonly string[];
  z: string;
}

export interface QuoteEvent extends Stamped {
  T: "q";
  bx: string;
  bp: number;
  bs: number;
  ax: string;
  ap: number;
  as: number;
  c: readonly string[];
  z: string;
}

export interface CorrectionEvent extends Stamped {
  T: "c";
  x: string;
  oi: number;
  op: number;
  os: number;
  oc: readonly string[];
  ci: number;
  cp: number;
  cs: number;
  cc: readonly string[];
  z: string;
}

export interface CancelErrorEvent extends Stamped {
  T: "x";
  i: number;
  x: string;
  p: number;
  s: number;
  a: "C" | "E";
  z: string;
}

export interface StatusEvent extends Stamped {
  T: "s";
  sc: string;
  sm: string;
  rc: string;
  rm: string;
  z: string;
}

export interface BarEvent {
  T: "b" | "u" | "d";
  S: string;
  bar: Bar;
}

export type MarketEvent =
  TradeEvent | QuoteEvent | CorrectionEvent | CancelErrorEvent | StatusEvent | BarEvent;

export function round2(price: number): number {
  return Math.round(price * 100) / 100;
}

export function round6(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
