/**
 * Text from the outside world made storable. PostgreSQL refuses NUL in text and jsonb and a
 * lone UTF-16 surrogate cannot be encoded as UTF-8, so an installer that prints either would make
 * its report impossible to store. Replacing them visibly (NUL → "␀", a lone surrogate → U+FFFD)
 * keeps the rest of the output readable; invalid UTF-8 bytes already became U+FFFD when the
 * bytes were decoded. Imports nothing: the agent uses it when it captures output, the server
 * before it validates a report.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

export function sanitizeText(text: string): string {
  return text.replaceAll('\u0000', '\u2400').replace(LONE_SURROGATE, '\uFFFD');
}
