const MASK = '***';

// `scheme://user:secret@host` → `scheme://user:***@host`. Greedy up to the last `@` of the token
// so a password holding an unescaped `@` is still hidden (over-redacting is the safe side).
const URL_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s]*@/gi;

/** Hides the password of every URL in `text` (`redis://user:***@host:6379`). */
export function redactUrl(text: string): string {
  return text.replace(URL_PASSWORD, `$1${MASK}@`);
}

/**
 * Hides URL passwords and every known secret (passwords from options or the environment)
 * wherever they occur in `text`: Redis itself echoes a password in some replies
 * (`ERR AUTH <password> called without any password configured`).
 */
export function redactSecrets(text: string, secrets: Iterable<string | undefined>): string {
  let out = redactUrl(text);
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join(MASK);
  }
  return out;
}
