import { useStdout } from 'ink';
import { useEffect, useState } from 'react';

/**
 * The size of the terminal, followed on resize; `fixed` wins (tests, a
 * caller that knows).
 *
 * @example
 * const { columns, rows } = useTerminalSize(props.size);
 */
export function useTerminalSize(fixed: { columns: number; rows: number } | undefined): {
  columns: number;
  rows: number;
} {
  const { stdout } = useStdout();
  const read = () => fixed ?? { columns: stdout.columns || 80, rows: stdout.rows || 24 };
  const [size, setSize] = useState(read);
  useEffect(() => {
    if (fixed) return setSize(fixed);
    const onResize = () => setSize(read());
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixed?.columns, fixed?.rows]);
  return fixed ?? size;
}
