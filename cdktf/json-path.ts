/** A JSON path for messages: `resource.aws_x.y.tags["a b"][0]` (names, never values). */
export function formatPath(path: readonly (string | number)[]): string {
  if (path.length === 0) return '(the value itself)';
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : /^[A-Za-z_][\w-]*$/.test(p) ? `${i === 0 ? '' : '.'}${p}` : `[${JSON.stringify(p)}]`)).join('');
}
