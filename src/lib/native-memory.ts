/**
 * Letting native memory go between pieces of heavy native work (drawing charts with resvg).
 *
 * resvg's buffers (a 1200×800 pixmap, the parsed fonts, the tree) live outside V8's heap, held by small JS wrapper
 * objects and freed only when the garbage collector finalizes those. Their small size means V8 sees no reason to
 * collect: drawing a few hundred charts in a row swings a process's RSS by over 200 MB. A minor (young-generation)
 * collection after each chart, then one turn of the event loop for the finalizers, keeps it flat, and is quicker
 * overall (less memory churned). It needs `gc`, which `npm start` exposes (node --expose-gc); without it (tests,
 * tsx) only the turn of the event loop happens.
 */
type Gc = (options?: { type?: 'minor' | 'major' }) => void;

export async function releaseNativeMemory(): Promise<void> {
  (globalThis as { gc?: Gc }).gc?.({ type: 'minor' });
  await new Promise<void>((resolve) => setImmediate(resolve));
}
