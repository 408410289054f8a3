/**
 * Keep-alive connection pools pinned to vetted addresses.
 *
 * One undici `Pool` per (origin, vetted IP, connect timeout): the socket always goes to the IP the
 * SSRF guard approved (DNS pinning) while the Host header and TLS SNI/certificate check keep the
 * original host name. Reusing pools gives keep-alive for throughput; a bounded LRU stops a large
 * endpoint population from holding sockets forever.
 */
import { buildConnector, Pool } from 'undici';
import type { SecureContextOptions } from 'node:tls';

/** Tuning for the pool set; defaults suit thousands of deliveries per second to few origins. */
export interface PinnedPoolOptions {
  /** Max sockets per pinned origin (default 64). Per-endpoint caps live in the job runner. */
  connectionsPerOrigin?: number;
  /** Idle keep-alive before a socket is closed (default 4 s, undici's default). */
  keepAliveTimeoutMs?: number;
  /** Max pools kept; the least recently used is closed beyond this (default 512). */
  maxPools?: number;
  /** Extra TLS trust (e.g. a test CA); the system store is used otherwise. */
  tls?: Pick<SecureContextOptions, 'ca'>;
}

/** Identifies the pool for a delivery: where to connect and how to name the peer. */
export interface PinTarget {
  /** `scheme://host[:port]` of the webhook URL (host = original name). */
  origin: string;
  /** TLS server name: the original host name, or undefined for IP-literal URLs. */
  servername: string | undefined;
  /** The vetted address the socket must connect to. */
  address: string;
  connectTimeoutMs: number;
}

/** The LRU set of pinned pools; close it on shutdown so sockets do not keep the process alive. */
export class PinnedPools {
  private readonly pools = new Map<string, Pool>();
  private readonly options: Required<Omit<PinnedPoolOptions, 'tls'>> & Pick<PinnedPoolOptions, 'tls'>;
  private closed = false;

  constructor(options: PinnedPoolOptions = {}) {
    this.options = {
      connectionsPerOrigin: options.connectionsPerOrigin ?? 64,
      keepAliveTimeoutMs: options.keepAliveTimeoutMs ?? 4_000,
      maxPools: options.maxPools ?? 512,
      tls: options.tls,
    };
  }

  /** Number of live pools (for metrics and tests). */
  get size(): number {
    return this.pools.size;
  }

  /** The pool for this pinned target, created on first use and marked most recently used. */
  get(target: PinTarget): Pool {
    if (this.closed) throw new Error('transport is closed');
    const key = `${target.origin}\n${target.address}\n${target.connectTimeoutMs}`;
    let pool = this.pools.get(key);
    if (pool) {
      this.pools.delete(key);
    } else {
      pool = this.create(target);
    }
    this.pools.set(key, pool);
    this.evict();
    return pool;
  }

  private create(target: PinTarget): Pool {
    const base = buildConnector({
      timeout: target.connectTimeoutMs,
      ...(this.options.tls?.ca ? { ca: this.options.tls.ca } : {}),
    });
    const address = target.address;
    const servername = target.servername;
    return new Pool(target.origin, {
      connections: this.options.connectionsPerOrigin,
      keepAliveTimeout: this.options.keepAliveTimeoutMs,
      // The only place a socket is opened: always to the vetted address, SNI = original name.
      connect: (opts, callback) => {
        base({ ...opts, hostname: address, ...(servername ? { servername } : {}) }, callback);
      },
    });
  }

  private evict(): void {
    while (this.pools.size > this.options.maxPools) {
      const oldest = this.pools.keys().next();
      if (oldest.done) return;
      const pool = this.pools.get(oldest.value);
      this.pools.delete(oldest.value);
      // Graceful: in-flight requests finish, idle sockets close.
      pool?.close().catch(() => undefined);
    }
  }

  /** Closes every pool (in-flight requests are destroyed); later `get` calls throw. */
  async close(): Promise<void> {
    this.closed = true;
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.allSettled(pools.map((p) => p.destroy()));
  }
}
