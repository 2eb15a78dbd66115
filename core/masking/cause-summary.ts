/**
 * One line that says why something failed underneath, for errors that wrap a cause
 * (`STORE_AUTH_FAILED … (AUTH_KEYRING_PASSWORD_WRONG: the keyring password is wrong)`). Before,
 * the cause showed only with `--debug` and the fix ("log in") was often wrong (issue 10, item 20).
 *
 * It carries codes and messages, never a value: infrakey's own messages hold none by rule, and
 * foreign text (an SDK's or Node's message) is masked and cut to its first line.
 */
import { isInfrakeyError } from '../errors';
import { redactor } from '../secret';

const MAX_FOREIGN = 200;
const MAX_DEPTH = 3;

/** `CODE: message` of `cause`, followed by its own infrakey causes (`← CODE: message`). */
export function causeSummary(cause: unknown): string {
  const parts: string[] = [];
  let e: unknown = cause;
  for (let depth = 0; depth < MAX_DEPTH && e !== undefined && e !== null; depth++) {
    parts.push(oneCause(e));
    e = e instanceof Error ? (e as { cause?: unknown }).cause : undefined;
  }
  return parts.join(' ← ');
}

function oneCause(e: unknown): string {
  if (isInfrakeyError(e)) return `${e.code}: ${redactor.maskMessage(e.summary)}`;
  if (e instanceof Error) {
    const raw = (e as { code?: unknown }).code;
    const code = typeof raw === 'string' ? raw : e.name;
    const first = (e.message.split('\n', 1)[0] ?? '').trim();
    const text = redactor.mask(first.length > MAX_FOREIGN ? `${first.slice(0, MAX_FOREIGN)}…` : first);
    return text ? `${code}: ${text}` : code;
  }
  return 'error';
}
