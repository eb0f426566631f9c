// Preloaded into every Node.js process a benchmark starts (NODE_OPTIONS=--import, set by
// bench/lib/lifecycle.ts): when the process's parent dies — even by SIGKILL, when it cannot clean
// up — the process is reparented (its ppid changes) and ends itself, so that no simulator, server
// or recorder of a benchmark outlives it as an orphan. Plain JavaScript: it runs before tsx loads.
if (process.env.XUNCHA_BENCH_DIE_WITH_PARENT === '1') {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid === parent) return;
    clearInterval(timer);
    // SIGTERM first: the process's own handler stops cleanly (the simulator closes its sockets).
    setTimeout(() => process.exit(1), 3000).unref();
    process.kill(process.pid, 'SIGTERM');
  }, 250);
  timer.unref();
}
