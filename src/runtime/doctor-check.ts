/**
 * One line of `troupe doctor`: what was checked, whether it holds, and how
 * to fix it.
 *
 * @example
 * const check: DoctorCheck = { name: 'git', ok: false, detail: 'git does not run', fix: 'install git' };
 */
export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
  fix?: string;
  /** It holds, but something is worth doing (a dependency folder plans do not see): shown with `!` and its fix. */
  warning?: boolean;
}
