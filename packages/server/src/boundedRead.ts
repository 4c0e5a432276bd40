// The one bounded stream reader: every body the package reads (a request's, OFAuth's answer) is
// read with it, so no body can hold more than its limit in memory.

/**
 * How a read that stops early leaves the stream: `cancel` it (OFAuth's answer: ours to drop), or
 * `release` it (a request body: the host's. Node adapters such as React Router's keep writing into
 * the stream they made, and a cancelled one makes their next write throw and the process exit).
 */
export type StopBy = 'cancel' | 'release';

/**
 * Reads a web stream to its end into one byte array, never holding more than `max` bytes: past
 * that it stops (as `stop` says) and answers `'too_large'`. With `signal`, an abort stops the read
 * and rejects with the signal's reason. Errors of the stream are thrown as they are.
 * Shared by the session endpoint (request body), the webhook handler (request body) and the
 * upstream client (OFAuth's answer).
 *
 * @example
 * const bytes = await readBounded(request.body.getReader(), 4096, 'release');
 * if (bytes === 'too_large') return tooLarge();
 */
export async function readBounded(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  max: number,
  stop: StopBy,
  signal?: AbortSignal,
): Promise<Uint8Array | 'too_large'> {
  const halt = (reason?: unknown) => {
    // releasing rejects a pending read, as a cancel would, and leaves the stream itself alone
    if (stop === 'release') reader.releaseLock();
    else reader.cancel(reason).catch(() => undefined);
  };
  const onAbort = () => halt(signal?.reason);
  signal?.addEventListener('abort', onAbort, { once: true });
  try {
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      if (signal?.aborted) throw signal.reason;
      const { done, value } = await reader.read();
      if (signal?.aborted) throw signal.reason;
      if (done) break;
      size += value.byteLength;
      if (size > max) {
        halt();
        return 'too_large';
      }
      chunks.push(value);
    }
    const all = new Uint8Array(size);
    let at = 0;
    for (const c of chunks) {
      all.set(c, at);
      at += c.byteLength;
    }
    return all;
  } finally {
    signal?.removeEventListener('abort', onAbort);
  }
}
