import { TroupeError } from '../domain/index.js';
import { BubblewrapSandbox } from '../sandbox/index.js';
import type { DoctorCheck } from './doctor-check.js';
import type { ProjectConfig } from './project/index.js';

const NAME = 'network';
// what doctor asks the proxy to hold when the project has no list: any name does, none is reached
const SAMPLE = ['registry.npmjs.org'];

/**
 * `troupe doctor`'s network line: the check a plan with
 * `network: {allow: [...]}` passes before its first command
 * (docs/explanation/sandbox.md#network-by-name), run here — a plan network is started
 * with troupe's proxy as its way out, then stopped: the namespace must have
 * no route out, and the proxy must answer inside, refusing a host off the
 * list. Required when the project's config has a list; otherwise a failure
 * is a warning (a plan file may still ask for one). `bwrap`: the
 * project's `sandbox.bwrap`; `contained`: bubblewrap was found and a
 * contained command ran.
 *
 * @example
 * const check = await networkCheck(root, config, { contained: true });
 */
export async function networkCheck(
  root: string | null,
  config: ProjectConfig | null,
  sandbox: { contained: boolean },
): Promise<DoctorCheck> {
  const listed = config !== null && typeof config.network === 'object' ? config.network.allow : null;
  if (config?.sandbox.mode === 'off')
    return { name: NAME, ok: true, detail: 'not enforced: commands run unconfined ("sandbox": {"mode": "off"})' };
  const required = listed !== null;
  const failed = (detail: string, fix: string): DoctorCheck =>
    required
      ? { name: NAME, ok: false, detail, fix }
      : {
          name: NAME,
          ok: true,
          warning: true,
          detail: `${detail} — a plan with network.allow would fail SANDBOX_UNAVAILABLE`,
          fix,
        };
  if (!sandbox.contained)
    return failed(
      'not checked: commands cannot be contained here',
      'fix bubblewrap and user namespaces first (the lines above)',
    );
  const bwrap = config?.sandbox.bwrap;
  const commands = new BubblewrapSandbox({
    projectRoot: root ?? process.cwd(),
    ...(bwrap === undefined ? {} : { bwrap }),
  });
  try {
    const network = await commands.startNetwork('doctor', { allow: listed ?? SAMPLE });
    await network.stop();
  } catch (error) {
    const known = error instanceof TroupeError;
    return failed(
      known ? error.message : String(error),
      known && error.hint ? error.hint : 'see docs/explanation/sandbox.md#network-by-name',
    );
  }
  const list = listed ? `the project's list (${listed.join(', ')})` : "a plan's list";
  return {
    name: NAME,
    ok: true,
    detail: `enforced: a plan network's only way out is troupe's proxy, which refused a host off ${list} (checked inside a plan network)`,
  };
}
