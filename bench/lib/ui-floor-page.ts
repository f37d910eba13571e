/**
 * The floor of the watchlist's isolated mode: a bare page on the bench feed's origin that opens the
 * same SignalR connection as the watchlist (JSON protocol over a WebSocket, subscribed to the same
 * channels) and does only what any page must with those frames: split the records and JSON-parse
 * them, counting trades and quotes. No rendering, no validation, no store. Whatever the watchlist
 * spends beyond this, per message, is the page's own cost. Counters in `window.__floor`, in the
 * same shape the bench reads from the watchlist's store (`trades`, `quotes`, `flushes`).
 * `?path=/hubs/other` reads the feed's other SignalR transport (one message per record, or joined).
 */
/**
 * What a bench page sends the hub, as SignalR's JSON protocol words it: the handshake, the
 * watchlist's subscription, and the keep-alive (the hub drops a client silent for 30 s). Shared by
 * the floor page and the replay page (ui-replay-page.ts).
 */
export const HUB_HANDSHAKE = '{"protocol":"json","version":1}';
export const HUB_SUBSCRIBE =
  '{"type":1,"invocationId":"1","target":"Subscribe","arguments":[["lines:*","order_book:*","status"]]}';
export const HUB_PING = '{"type":6}';

export const FLOOR_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>watchlist floor</title></head>
<body><p id="state">connecting</p>
<script>
  const RS = "\\x1e";
  const stats = (window.__floor = { trades: 0, quotes: 0, flushes: 0, other: 0, state: "connecting" });
  const token = new URLSearchParams(location.search).get("token");
  const path = new URLSearchParams(location.search).get("path") || "/hubs/market-data";
  const ws = new WebSocket("ws://" + location.host + path + "?access_token=" + encodeURIComponent(token));
  let handshaken = false;
  ws.onopen = () => ws.send('${HUB_HANDSHAKE}' + RS);
  ws.onmessage = (event) => {
    const records = event.data.split(RS);
    for (let i = 0; i < records.length; i++) {
      if (records[i] === "") continue;
      const message = JSON.parse(records[i]);
      if (!handshaken) {
        handshaken = true;
        stats.state = "live";
        document.getElementById("state").textContent = "live";
        ws.send('${HUB_SUBSCRIBE}' + RS);
        setInterval(() => ws.send('${HUB_PING}' + RS), 10000);
        continue;
      }
      if (message.type !== 1 || message.target !== "publication") continue;
      const type = message.arguments[0].type;
      if (type === "tick") stats.trades++;
      else if (type === "quote") stats.quotes++;
      else stats.other++;
    }
  };
  ws.onclose = (event) => {
    stats.state = "closed " + event.code;
    document.getElementById("state").textContent = stats.state;
  };
</script></body></html>`;
