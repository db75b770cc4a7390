/** The error a promise rejects with; fails the test if it resolves. */
export async function rejection(
  promise: Promise<unknown>,
): Promise<{ code?: string; message: string; hint?: string; details?: Record<string, unknown> }> {
  try {
    await promise;
  } catch (error) {
    return error as { code?: string; message: string; hint?: string; details?: Record<string, unknown> };
  }
  throw new Error('expected a rejection');
}
