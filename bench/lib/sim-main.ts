// Runs the simulator CLI (src/sim/cli.ts, same flags as `xuncha sim`) as its own process.
// `xuncha sim --cameras N` is refused by src/cli/main.ts ("too many arguments for 'sim'":
// the command allows unknown options but not excess arguments), so the bench calls it directly.
import { main } from '../../src/sim/cli.ts';

process.exitCode = await main(process.argv.slice(2));
