// Runs the simulator CLI (src/sim/cli.ts, same flags as `xuncha sim`) as its own process.
// `xuncha sim --cameras N` is refused by src/cli/main.ts ("too many arguments for 'sim'":
// the command allows unknown options but not excess arguments), so the bench calls it directly.
// It dies with the benchmark that started it: it stops when its stdin closes (the parent's end of
// the pipe closes when the parent exits, however it exits) or when its parent pid changes.
import { main } from '../../src/sim/cli.ts';

const stop = new AbortController();
const parent = process.ppid;
const watch = setInterval(() => {
  if (process.ppid !== parent) stop.abort();
}, 250);
watch.unref();
if (!process.stdin.isTTY) {
  process.stdin.on('end', () => stop.abort());
  process.stdin.on('error', () => stop.abort());
  process.stdin.resume();
}
stop.signal.addEventListener('abort', () => {
  process.stdin.destroy();
  setTimeout(() => process.exit(1), 5000).unref(); // a simulator that cannot close in 5 s is killed
});

process.exitCode = await main(process.argv.slice(2), { signal: stop.signal });
clearInterval(watch);
process.stdin.destroy();
