import fc from 'fast-check';

/** How many generated requests run at once: enough to overlap the server's waits, few enough for 2 cores. */
export const FUZZ_CONCURRENCY = 4;

/** The seed every fuzz test uses unless `FUZZ_SEED` names another, so a failure can be replayed. */
export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 20261125);

/**
 * Runs `check` on `runs` cases drawn from `arbitrary` with the fixed seed, `FUZZ_CONCURRENCY` at a
 * time, and returns the descriptions `check` gives of the cases that failed (none when all held).
 * Cases are drawn up front (the same list on every run) instead of through `fc.assert`, whose
 * sequential runs and shrinking cost a round trip each.
 */
export async function fuzzConcurrently<T>(
  arbitrary: fc.Arbitrary<T>,
  runs: number,
  check: (value: T) => Promise<string | null>,
): Promise<string[]> {
  const cases = fc.sample(arbitrary, { numRuns: runs, seed: FUZZ_SEED });
  const failures: string[] = [];
  let next = 0;
  const lane = async () => {
    while (next < cases.length) {
      const failure = await check(cases[next++] as T);
      if (failure !== null) failures.push(failure);
    }
  };
  await Promise.all(Array.from({ length: FUZZ_CONCURRENCY }, lane));
  return failures;
}
