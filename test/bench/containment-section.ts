// The containment figures: what the sandbox adds to a command, and a plan network to commands and requests.
import { formatNumber } from './measure.js';
import { runNetworkBench } from './network.bench.js';
import { log, orReport, verdict } from './report.js';
import { runSandboxBench } from './sandbox.bench.js';

// ms the bubblewrap sandbox may add per command (docs/explanation/performance.md, contained commands)
const SANDBOX_TARGET_MS = 20;

/** Prints `true` and `node -e 0` through bubblewrap against unconfined, then the network by name: per command, per request, per plan network. */
export async function runContainmentSection(options: { sandboxRuns: number; networkRuns: number }): Promise<void> {
  const { sandboxRuns, networkRuns } = options;
  // issue 16: one command through the bubblewrap sandbox against the same command unconfined
  await orReport('contained commands', async () => {
    for (const command of ['true', 'node -e 0']) {
      const sandbox = await runSandboxBench({ runs: sandboxRuns, command });
      log();
      log(
        `contained commands: \`${command}\` through bubblewrap ${formatNumber(sandbox.containedMs)} ms (p90 ${formatNumber(sandbox.containedP90)}), ` +
          `unconfined (sh -c, same spawn) ${formatNumber(sandbox.unconfinedMs)} ms (p90 ${formatNumber(sandbox.unconfinedP90)}): ` +
          `${formatNumber(sandbox.addedMs)} ms added per command (median of ${sandbox.runs} alternated pairs; ≤ ${SANDBOX_TARGET_MS} ms: ${verdict(sandbox.addedMs <= SANDBOX_TARGET_MS)})`,
      );
    }
  });
  // issue 39: a network allow-list, per command, per request through the proxy, and per plan network
  await orReport('network by name', async () => {
    const network = await runNetworkBench({ runs: networkRuns });
    log();
    log(
      `network by name (median of ${network.runs} alternated pairs): \`true\` in a namespace of its own ${formatNumber(network.ownMs)} ms, in a plan network with an allow-list ${formatNumber(network.listedMs)} ms ` +
        `(${formatNumber(network.commandAddedMs)} ms added per command); \`curl\` of a local server straight (host network) ${formatNumber(network.directMs)} ms, through troupe's proxy ${formatNumber(network.proxiedMs)} ms ` +
        `(${formatNumber(network.requestAddedMs)} ms added per request); a plan network opens in ${formatNumber(network.gateOpenMs)} ms with its proxy and checks, ${formatNumber(network.holderOpenMs)} ms without (once per plan, kept while it is used)`,
    );
  });
}
