/** Keeps the last lines a process printed, for error messages, with secrets masked. */
export class LogTail {
  private lines: string[] = [];
  private partial = '';
  /** Called after every chunk: readiness checks use it to probe as soon as the server speaks. */
  onData: (() => void) | undefined;

  constructor(
    private readonly secrets: readonly string[] = [],
    private readonly max = 40,
  ) {}

  push(chunk: Buffer | string): void {
    const text = this.partial + chunk.toString();
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    this.lines.push(...parts.filter((l) => l.trim() !== ''));
    if (this.lines.length > this.max) this.lines.splice(0, this.lines.length - this.max);
    this.onData?.();
  }

  toString(): string {
    let text = [...this.lines, this.partial].filter(Boolean).join('\n');
    for (const secret of this.secrets) if (secret) text = text.split(secret).join('***');
    return text;
  }

  includes(needle: string): boolean {
    return this.toString().includes(needle);
  }
}
