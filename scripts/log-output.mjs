// Where `npm start` sends a child's pino output: JSON lines as they are when stdout is a pipe or a
// file (log shippers parse them), and pino-pretty's readable lines when a person watches a terminal.
// Lines that are not JSON (a crash trace, Next's banner) pass through unchanged either way.
import pretty from "pino-pretty";

/**
 * Connects `child.stdout` (spawned with stdio[1] = "pipe") to this process's stdout.
 * @param {import("node:child_process").ChildProcess} child
 * @param {{ terminal?: boolean }} [options] terminal: prettify (default: whether stdout is a TTY)
 */
export function attachLogOutput(child, { terminal = process.stdout.isTTY === true } = {}) {
  if (child.stdout === null) throw new Error("attachLogOutput needs the child's stdout as a pipe");
  if (!terminal) {
    child.stdout.pipe(process.stdout, { end: false });
    return;
  }
  // pino-pretty writes to this process's stdout itself (its destination), line by line.
  const readable = pretty({
    colorize: true,
    translateTime: "SYS:HH:MM:ss.l",
    // The component names the part of the server: it reads best in front of the message.
    ignore: "pid,hostname,service,component",
    messageFormat: "{if component}[{component}] {end}{msg}",
  });
  child.stdout.pipe(readable);
}
