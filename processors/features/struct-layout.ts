// Fixed binary layouts shared by the Lua scripts (Redis's `struct` library packs and unpacks
// them) and Node (Buffer reads). Binary rather than text because parsing and formatting text
// in Lua cost several times more than the Redis commands themselves.

/** The struct codes we use, little-endian, unaligned: byte, uint32, int32, float64. */
export const STRUCT_SIZE = { B: 1, I4: 4, i4: 4, d: 8 } as const;
export type StructCode = keyof typeof STRUCT_SIZE;
export type StructField<N extends string = string> = readonly [name: N, code: StructCode];

export type StructLayout<N extends string> = {
  /** The format string for struct.pack / struct.unpack. */
  readonly format: string;
  readonly size: number;
  readonly offset: Readonly<Record<N, number>>;
  readonly code: Readonly<Record<N, StructCode>>;
  readonly names: readonly N[];
};

export function structLayout<N extends string>(fields: readonly StructField<N>[]): StructLayout<N> {
  const offset = {} as Record<N, number>;
  const code = {} as Record<N, StructCode>;
  let size = 0;
  for (const [name, c] of fields) {
    if (name in offset) throw new Error(`duplicate field ${name} in a struct layout`);
    offset[name] = size;
    code[name] = c;
    size += STRUCT_SIZE[c];
  }
  return { format: '<' + fields.map((f) => f[1]).join(''), size, offset, code, names: fields.map((f) => f[0]) };
}

/** Reads one field of a packed reply. */
export function readStructField<N extends string>(layout: StructLayout<N>, buf: Buffer, name: N): number {
  const at = layout.offset[name];
  switch (layout.code[name]) {
    case 'B':
      return buf.readUInt8(at);
    case 'I4':
      return buf.readUInt32LE(at);
    case 'i4':
      return buf.readInt32LE(at);
    case 'd':
      return buf.readDoubleLE(at);
  }
}

/** Packs values the way struct.pack does; tests use it to build replies without Redis. */
export function packStruct<N extends string>(layout: StructLayout<N>, values: Readonly<Record<N, number>>): Buffer {
  const buf = Buffer.alloc(layout.size);
  for (const name of layout.names) {
    const at = layout.offset[name];
    const value = values[name];
    switch (layout.code[name]) {
      case 'B':
        buf.writeUInt8(value, at);
        break;
      case 'I4':
        buf.writeUInt32LE(value, at);
        break;
      case 'i4':
        buf.writeInt32LE(value, at);
        break;
      case 'd':
        buf.writeDoubleLE(value, at);
        break;
    }
  }
  return buf;
}
