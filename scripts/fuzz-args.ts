/** The command-line flags the fuzz scripts share: `--name N`, a non-negative integer. */
export function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`--${name} takes a non-negative integer, not ${process.argv[i + 1]}`);
  return v;
}
