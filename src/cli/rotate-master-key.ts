import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import type { Config } from '../config/config.ts';

function batchSize(value: string): number {
  const size = Number(value);
  if (!/^\d+$/.test(value) || size < 1 || size > 10_000) {
    throw new InvalidArgumentError('must be a whole number from 1 to 10000');
  }
  return size;
}

/**
 * `securebase admin rotate-master-key`: re-seals every sealed value under the current key.
 * Prints counts and key ids only, never a key or a secret.
 */
export function registerRotateMasterKey(admin: Command, config: () => Config): void {
  admin
    .command('rotate-master-key')
    .description('Re-seal every secret in the database under the current master key (SECUREBASE_MASTER_KEY)')
    .option('--batch-size <rows>', 'rows read and rewritten per transaction', batchSize, 200)
    .addHelpText(
      'after',
      `
Set SECUREBASE_MASTER_KEY to the new key and SECUREBASE_MASTER_KEYS_PREVIOUS to the old one(s)
(for the embedded default, the old key is the content of master.key in the data directory), restart
every process with them, then run this command. It refuses to start when a value opens with no key
of the ring, and may be run again at any time: values already under the current key are skipped.
When a run completes after every process was restarted on the new key, the previous keys may be removed.`,
    )
    .action(async (options: { batchSize: number }) => {
      // Loaded when the command runs, so that `--help` stays fast.
      const [{ rotateSealedValues }, { openRuntime }, { SEALED_COLUMNS }] = await Promise.all([
        import('../crypto/rotation.ts'),
        import('../server/runtime.ts'),
        import('../server/sealed-columns.ts'),
      ]);
      const ctx = await openRuntime(config());
      try {
        const { current, keys } = ctx.keyRing;
        const previous =
          keys
            .slice(1)
            .map((key) => key.id)
            .join(', ') || '(none)';
        console.log(`Current key ${current.id}; previous keys: ${previous}`);
        const summary = await rotateSealedValues(ctx.database.db, ctx.keyRing, SEALED_COLUMNS, {
          batchSize: options.batchSize,
          onProgress: ({ column, phase, rows, resealed }) =>
            console.log(
              phase === 'check'
                ? `checked ${column}: ${rows} rows`
                : `re-sealed ${column}: ${rows} rows, ${resealed} values`,
            ),
        });
        const { resealed, alreadyCurrent, rows } = summary;
        console.log(
          `Re-sealed ${resealed} values under key ${current.id} (${alreadyCurrent} already were, ${rows} rows).`,
        );
      } finally {
        await ctx.database.close();
      }
    });
}
