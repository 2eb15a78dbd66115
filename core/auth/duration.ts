/**
 * Durations as Atmos accepts them (§1.3.1): integer seconds (`3600`), Go durations (`1h30m`,
 * `90s`, `1.5h`) or days (`2d`). Returns seconds, or undefined when the text is none of these.
 */
export function parseDurationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string') return undefined;
  const text = value.trim();
  if (text === '') return undefined;
  if (/^\d+$/.test(text)) return Number(text);
  const days = /^(\d+)d$/.exec(text);
  if (days) return Number(days[1]) * 86400;
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 0.000001, 'µs': 0.000001, ns: 1e-9 };
  const re = /(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/gy;
  let total = 0;
  let consumed = 0;
  let match: RegExpExecArray | null;
  while ((match = re.exec(text)) !== null) {
    total += Number(match[1]) * units[match[2]];
    consumed = re.lastIndex;
  }
  if (consumed !== text.length || consumed === 0) return undefined;
  return Math.floor(total);
}

/** Clamps `seconds` to [min, max]. */
export function clamp(seconds: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, seconds));
}
