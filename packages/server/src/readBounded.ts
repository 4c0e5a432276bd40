/**
 * Reads a web stream to its end into one byte array, never holding more than `max` bytes: past
 * that it cancels the stream and answers `'too_large'`. With `signal`, an abort cancels the stream
 * and rejects with the signal's reason. Errors of the stream are thrown as they are.
 * Shared by the session endpoint (request body), the webhook handler (request body) and the
 * upstream client (OFAuth's answer).
 *
 * @example
 * const bytes = await readBounded(request.body.getReader(), 4096);
 * if (bytes === 'too_large') return tooLarge();
 */
export async function readBounded(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  max: number,
  signal?: AbortSignal,
): Promise<Uint8Array | 'too_large'> {
  const onAbort = () => {
    reader.cancel(signal?.reason).catch(() => undefined);
  };
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
        reader.cancel().catch(() => undefined);
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
