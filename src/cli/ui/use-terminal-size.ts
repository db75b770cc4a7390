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
  const [size, setSize] = useState(() => fixed ?? sizeOf(stdout));
  // the fixed size by value: a caller that passes an equal new object on every render does not resubscribe
  const fixedColumns = fixed?.columns;
  const fixedRows = fixed?.rows;
  useEffect(() => {
    if (fixedColumns !== undefined && fixedRows !== undefined)
      return setSize({ columns: fixedColumns, rows: fixedRows });
    const onResize = () => setSize(sizeOf(stdout));
    stdout.on('resize', onResize);
    return () => void stdout.off('resize', onResize);
  }, [stdout, fixedColumns, fixedRows]);
  return fixed ?? size;
}

// what a terminal that does not say its size is taken to be
function sizeOf(stdout: NodeJS.WriteStream): { columns: number; rows: number } {
  return { columns: stdout.columns || 80, rows: stdout.rows || 24 };
}
