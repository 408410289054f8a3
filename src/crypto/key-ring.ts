import { createHmac, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, decodeKey } from '../config/config.ts';
import type { Config } from '../config/config.ts';

/** One 32-byte master key and its id, a fingerprint that names the key in every value it seals. */
export interface MasterKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The master keys this process knows: the current one seals, every one of them opens. */
export interface KeyRing {
  readonly current: MasterKey;
  /** The current key first, then the previous ones, without duplicates. */
  readonly keys: readonly MasterKey[];
}

/** The id of a key: a keyed hash, so it names the key without revealing anything about it. */
export function keyIdOf(key: Buffer): string {
  return createHmac('sha256', key).update('securebase master key id').digest('hex').slice(0, 16);
}

/** A ring sealing with `current` and still opening values sealed under any of `previous`. */
export function createKeyRing(current: Buffer, previous: readonly Buffer[] = []): KeyRing {
  const keys: MasterKey[] = [];
  for (const key of [current, ...previous]) {
    const id = keyIdOf(key);
    if (!keys.some((known) => known.id === id)) keys.push({ id, key });
  }
  return { current: keys[0] as MasterKey, keys };
}

/** The key file of the embedded default, generated on first use and readable by its owner only (0600). */
function loadKeyFile(dataDir: string): Buffer {
  const file = join(dataDir, 'master.key');
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    // Several processes may start on a new data directory at once: the key is written whole to a
    // file of this process, then linked into place atomically; whoever links first wins, the others
    // read the winner's key.
    const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
    writeFileSync(draft, randomBytes(32).toString('hex') + '\n', { mode: 0o600, flag: 'wx' });
    try {
      linkSync(draft, file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(draft);
    }
  }
  chmodSync(file, 0o600);
  const key = decodeKey(readFileSync(file, 'utf8').trim());
  if (!key) throw new Error(`${file}: not a 32-byte hex key`);
  return key;
}

/**
 * The key ring of the configuration: SECUREBASE_MASTER_KEY (or, for the embedded default, the
 * generated key file in the data directory) seals; SECUREBASE_MASTER_KEYS_PREVIOUS still open.
 */
export function loadKeyRing(config: Pick<Config, 'masterKey' | 'previousMasterKeys' | 'dataDir'>): KeyRing {
  const decode = (value: string, variable: string) => {
    const key = decodeKey(value);
    if (!key) throw new ConfigError(variable, 'must be 32 bytes as 64 hex characters or base64');
    return key;
  };
  const current = config.masterKey ? decode(config.masterKey, 'SECUREBASE_MASTER_KEY') : loadKeyFile(config.dataDir);
  const previous = config.previousMasterKeys.map((value) => decode(value, 'SECUREBASE_MASTER_KEYS_PREVIOUS'));
  return createKeyRing(current, previous);
}
