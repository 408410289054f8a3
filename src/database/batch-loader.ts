/**
 * Coalesces lookups by key made in the same event-loop turn into one query, so N jobs started
 * together cost one round trip instead of N (a DataLoader without a cache: every turn reads anew).
 */
export function batchLoader<V>(
  load: (keys: string[]) => Promise<Map<string, V>>,
  maxBatch = 500,
): (key: string) => Promise<V | undefined> {
  let pending: Array<{ key: string; resolve: (value: V | undefined) => void; reject: (error: unknown) => void }> = [];
  const flush = async () => {
    const batch = pending;
    pending = [];
    for (let start = 0; start < batch.length; start += maxBatch) {
      const chunk = batch.slice(start, start + maxBatch);
      try {
        const found = await load([...new Set(chunk.map((item) => item.key))]);
        for (const item of chunk) item.resolve(found.get(item.key));
      } catch (error) {
        for (const item of chunk) item.reject(error);
      }
    }
  };
  return (key) =>
    new Promise((resolve, reject) => {
      pending.push({ key, resolve, reject });
      if (pending.length === 1) setImmediate(() => void flush());
    });
}
