// The message for a JetStream whose file store is taken by stream reservations (pure).
import { describe, expect, it } from 'vitest';
import { insufficientStorageMessage } from './bus.js';

const GIB = 1024 ** 3;

describe('insufficientStorageMessage', () => {
  it('names the stream, its reservation, who holds the store, and what to change', () => {
    const message = insufficientStorageMessage('RS_EVENTS', 2 * GIB, [
      { namespace: 'bench_a', streams: 4, bytes: 5 * GIB },
      { namespace: 'rs', streams: 4, bytes: 5 * GIB },
      { namespace: 'tiny', streams: 1, bytes: GIB / 4 },
    ]);
    expect(message).toContain('reserve 2048 MiB of file storage for stream RS_EVENTS');
    expect(message).toContain('Streams already reserve 10 GiB (by namespace: bench_a 5.0 GiB, rs 5.0 GiB, tiny 0.3 GiB).');
    expect(message).toContain('Lower RISKSTREAM_STREAM_MAX_MB');
    expect(message).toContain('max_file_store');
  });

  it('lists the five largest namespaces and says there are more', () => {
    const many = Array.from({ length: 7 }, (_, i) => ({ namespace: `ns${i}`, streams: 4, bytes: (20 - i) * GIB }));
    const message = insufficientStorageMessage('X_EVENTS', GIB, many);
    expect(message).toContain('ns0 20 GiB, ns1 19 GiB, ns2 18 GiB, ns3 17 GiB, ns4 16 GiB, …');
    expect(message).not.toContain('ns5');
  });

  it('says nothing of reservations it could not read', () => {
    expect(insufficientStorageMessage('X_EVENTS', GIB, [])).not.toContain('already reserve');
  });
});
