import { runDoctor } from '../../runtime/index.js';
import { EXIT } from '../exit-codes.js';
import type { CommandContext } from '../context.js';

/**
 * `troupe doctor`: what troupe needs here, one ✓/✗ line each with the fix,
 * `!` for a warning (`--json`: `{ok, checks: [{name, ok, detail, fix?,
 * warning?}]}`); exit 0 when every required check holds (warnings
 * included), 1 otherwise. It never opens a runtime.
 */
export async function doctor(context: CommandContext): Promise<number> {
  const report = await runDoctor(context.dir);
  const { out } = context;
  const width = Math.max(...report.checks.map((check) => check.name.length));
  context.out.result(report, () =>
    report.checks
      .map((check) => {
        const mark = !check.ok
          ? out.paint('red', '✗')
          : check.warning
            ? out.paint('yellow', '!')
            : out.paint('green', '✓');
        const line = `${mark} ${check.name.padEnd(width)}  ${check.detail}`;
        // a warning holds, but shows its fix like a failure
        return (check.ok && !check.warning) || !check.fix ? line : `${line}\n  ${' '.repeat(width)}  fix: ${check.fix}`;
      })
      .join('\n'),
  );
  return report.ok ? EXIT.ok : EXIT.failed;
}
