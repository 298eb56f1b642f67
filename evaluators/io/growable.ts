/** Append-only typed arrays that double their storage when full (face and index lists of unknown length). */
class GrowableArray<T extends Uint32Array | Float64Array> {
  private data: T;
  length = 0;

  constructor(private readonly create: (length: number) => T, initialCapacity: number) {
    this.data = create(Math.max(16, initialCapacity));
  }

  push(a: number): void {
    if (this.length + 1 > this.data.length) this.grow(this.length + 1);
    this.data[this.length++] = a;
  }

  push3(a: number, b: number, c: number): void {
    if (this.length + 3 > this.data.length) this.grow(this.length + 3);
    const d = this.data;
    d[this.length] = a;
    d[this.length + 1] = b;
    d[this.length + 2] = c;
    this.length += 3;
  }

  private grow(minimum: number): void {
    let capacity = this.data.length * 2;
    while (capacity < minimum) capacity *= 2;
    const next = this.create(capacity);
    next.set(this.data.subarray(0, this.length));
    this.data = next;
  }

  /** The filled part, trimmed to its length (a copy when the storage is larger). */
  toArray(): T {
    return (this.length === this.data.length ? this.data : this.data.slice(0, this.length)) as T;
  }
}

export class GrowableUint32 extends GrowableArray<Uint32Array> {
  constructor(initialCapacity = 1024) {
    super((n) => new Uint32Array(n), initialCapacity);
  }
}

export class GrowableFloat64 extends GrowableArray<Float64Array> {
  constructor(initialCapacity = 1024) {
    super((n) => new Float64Array(n), initialCapacity);
  }
}
