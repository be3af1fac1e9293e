/**
 * Coalesces calls made close together (in the same turn of the event loop) into one round trip,
 * like DataLoader: 100 workers completing tasks at once cost one script call, not 100.
 * `run` gets the items in call order and returns one result per item; a result that is an
 * Error rejects only that item's promise.
 */
export class MicroBatcher<Item, Result> {
  readonly #run: (items: Item[]) => Promise<Array<Result | Error>>;
  readonly #maxSize: number;
  #pending: Array<{ item: Item; resolve: (result: Result) => void; reject: (error: unknown) => void }> = [];
  #scheduled = false;

  constructor(run: (items: Item[]) => Promise<Array<Result | Error>>, maxSize: number) {
    this.#run = run;
    this.#maxSize = maxSize;
  }

  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      this.#pending.push({ item, resolve, reject });
      if (this.#pending.length >= this.#maxSize) {
        this.#flush();
      } else if (!this.#scheduled) {
        this.#scheduled = true;
        // setImmediate: every call made while handling the current I/O event joins this batch.
        setImmediate(() => this.#flush());
      }
    });
  }

  #flush(): void {
    this.#scheduled = false;
    const batch = this.#pending;
    if (batch.length === 0) return;
    this.#pending = [];
    this.#run(batch.map((entry) => entry.item)).then(
      (results) => {
        batch.forEach((entry, i) => {
          const result = results[i];
          if (result instanceof Error) entry.reject(result);
          else entry.resolve(result as Result);
        });
      },
      (error: unknown) => {
        for (const entry of batch) entry.reject(error);
      },
    );
  }
}
