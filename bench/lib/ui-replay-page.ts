import { HUB_HANDSHAKE, HUB_PING, HUB_SUBSCRIBE } from "./ui-floor-page";

/**
 * The box's floor for the watchlist's long tasks: a page that runs the CPU the watchlist's main
 * thread ran, task by task, and nothing else. `start(tasks)` replays the watchlist's traced tasks
 * (offset from the trace's start and CPU time, in ms) as fixed amounts of arithmetic at the same
 * offsets, each in a task of its own; none is longer than the watchlist's by construction, so its
 * long tasks by wall time are what this box does to the watchlist's work.
 * The feed is taken where the watchlist took it (its main thread, or its worker) and only counted,
 * so the hub, the feed process and Chromium's network service carry the load they carried for the
 * watchlist. Two ways this floor sits above the true one: on the main thread, taking each frame costs
 * the replay again what the replayed CPU already holds; and a page that only counts takes more of
 * the feed than the watchlist did. When the box starves the thread, the replay runs behind its
 * offsets (`lateMs`), its tasks then back to back.
 * The arithmetic's rate is measured first (the fastest of 20 runs: one the thread was not
 * descheduled in); the replay's own trace shows how close its CPU came to the watchlist's.
 * Counters in `window.__replay`; the meter's `trades`, `quotes` and `flushes` stay 0 (nothing is
 * read: the hub's own count says what the feed delivered).
 */
export const REPLAY_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>watchlist CPU replay</title></head>
<body><p id="state">connecting</p>
<script>
  const stats = (window.__replay = {
    trades: 0, quotes: 0, flushes: 0, state: "connecting",
    iterationsPerMs: 0, replayedTasks: 0, replayedCpuMs: 0, lateMs: 0,
  });
  const params = new URLSearchParams(location.search);
  // Taken where the watchlist took it: on the main thread, or in a worker (?feed=worker) as the
  // watchlist does from 4 cores.
  const feedSource = \`
    const RS = "\\x1e";
    const counts = { state: "connecting" };
    const ws = new WebSocket(\${JSON.stringify("ws://" + location.host + (params.get("path") || "/hubs/market-data") + "?access_token=" + encodeURIComponent(params.get("token")))});
    let handshaken = false;
    ws.onopen = () => ws.send('${HUB_HANDSHAKE}' + RS);
    ws.onmessage = () => {
      if (handshaken) return; // taken, not read: the watchlist's reading is in the replayed CPU
      handshaken = true;
      counts.state = "live";
      ws.send('${HUB_SUBSCRIBE}' + RS);
      setInterval(() => ws.send('${HUB_PING}' + RS), 10000);
    };
    ws.onclose = (event) => { counts.state = "closed " + event.code; };
    setInterval(() => report(counts), 250);
  \`;
  const report = (counts) => {
    Object.assign(stats, counts);
    document.getElementById("state").textContent = stats.state;
  };
  if (params.get("feed") === "worker") {
    const source = "const report = (counts) => postMessage(counts);" + feedSource;
    const worker = new Worker(URL.createObjectURL(new Blob([source], { type: "text/javascript" })));
    worker.onmessage = (event) => report(event.data);
  } else new Function("report", feedSource)(report);

  let sink = 1;
  const work = (n) => {
    let x = sink;
    for (let i = 0; i < n; i++) x = (Math.imul(x, 1103515245) + 12345) | 0;
    sink = x;
  };
  for (let i = 0; i < 50; i++) work(100000);
  let fastest = Infinity;
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    work(1000000);
    fastest = Math.min(fastest, performance.now() - t);
  }
  stats.iterationsPerMs = 1000000 / fastest;

  /** Replays [offsetMs, cpuMs, offsetMs, cpuMs, …]: each task at its offset, or at once if behind. */
  stats.start = (tasks) => {
    const t0 = performance.now();
    const channel = new MessageChannel();
    let i = 0;
    const step = () => {
      if (i >= tasks.length) return;
      const wait = tasks[i] - (performance.now() - t0);
      if (wait > 1) { setTimeout(step, wait); return; }
      stats.lateMs = Math.max(stats.lateMs, -wait);
      work(Math.round(tasks[i + 1] * stats.iterationsPerMs));
      stats.replayedTasks++;
      stats.replayedCpuMs += tasks[i + 1];
      i += 2;
      channel.port1.postMessage(0);
    };
    channel.port2.onmessage = step;
    step();
  };
</script></body></html>`;
