import type { RdbCursor } from './cursor.js';
import { RdbType } from './types.js';

/** An RDB object type this parser cannot walk over (a newer Redis, or an old module format). */
export class RdbUnsupportedTypeError extends Error {
  constructor(readonly rdbType: number) {
    super(`RDB object type ${rdbType} is not supported by this version of @covina/backup`);
    this.name = 'RdbUnsupportedTypeError';
  }
}

const MODULE_EOF = 0;
const MODULE_SINT = 1;
const MODULE_UINT = 2;
const MODULE_FLOAT = 3;
const MODULE_DOUBLE = 4;
const MODULE_STRING = 5;

/** Module values (and module aux data) are a list of typed fields ending with an EOF opcode. */
export function skipModuleFields(c: RdbCursor): void {
  for (;;) {
    const opcode = c.len();
    switch (opcode) {
      case MODULE_EOF:
        return;
      case MODULE_SINT:
      case MODULE_UINT:
        c.len();
        break;
      case MODULE_FLOAT:
        c.skip(4);
        break;
      case MODULE_DOUBLE:
        c.skip(8);
        break;
      case MODULE_STRING:
        c.skipString();
        break;
      default:
        throw c.error(`unknown module field opcode ${opcode}`);
    }
  }
}

const STREAM_ID_BYTES = 16;

function skipStream(c: RdbCursor, type: number): void {
  for (let nodes = c.len(); nodes > 0; nodes--) {
    c.skipString(); // master entry id
    c.skipString(); // listpack
  }
  c.len(); // length
  c.len(); // last id ms
  c.len(); // last id seq
  if (type >= RdbType.STREAM_LISTPACKS_2) {
    c.len(); // first id ms
    c.len(); // first id seq
    c.len(); // max deleted id ms
    c.len(); // max deleted id seq
    c.len(); // entries added
  }
  for (let groups = c.len(); groups > 0; groups--) {
    c.skipString(); // group name
    c.len(); // last delivered id ms
    c.len(); // last delivered id seq
    if (type >= RdbType.STREAM_LISTPACKS_2) c.len(); // entries read
    for (let pending = c.len(); pending > 0; pending--) {
      c.skip(STREAM_ID_BYTES);
      c.skip(8); // delivery time
      c.len(); // delivery count
    }
    for (let consumers = c.len(); consumers > 0; consumers--) {
      c.skipString(); // consumer name
      c.skip(8); // seen time
      if (type >= RdbType.STREAM_LISTPACKS_3) c.skip(8); // active time
      for (let pending = c.len(); pending > 0; pending--) c.skip(STREAM_ID_BYTES);
    }
  }
}

/** Moves the cursor past one serialized object of `type` (the part after the type byte). */
export function skipValue(c: RdbCursor, type: number): void {
  switch (type) {
    case RdbType.STRING:
    case RdbType.HASH_ZIPMAP:
    case RdbType.LIST_ZIPLIST:
    case RdbType.SET_INTSET:
    case RdbType.ZSET_ZIPLIST:
    case RdbType.HASH_ZIPLIST:
    case RdbType.HASH_LISTPACK:
    case RdbType.ZSET_LISTPACK:
    case RdbType.SET_LISTPACK:
      c.skipString();
      return;
    case RdbType.LIST:
    case RdbType.SET:
    case RdbType.LIST_QUICKLIST:
      for (let n = c.len(); n > 0; n--) c.skipString();
      return;
    case RdbType.ZSET:
      for (let n = c.len(); n > 0; n--) {
        c.skipString();
        const scoreLength = c.u8(); // 253 nan, 254 +inf, 255 -inf, else that many ASCII bytes
        if (scoreLength < 253) c.skip(scoreLength);
      }
      return;
    case RdbType.HASH:
      for (let n = c.len(); n > 0; n--) {
        c.skipString();
        c.skipString();
      }
      return;
    case RdbType.ZSET_2:
      for (let n = c.len(); n > 0; n--) {
        c.skipString();
        c.skip(8);
      }
      return;
    case RdbType.LIST_QUICKLIST_2:
      for (let n = c.len(); n > 0; n--) {
        c.len(); // container: plain or packed
        c.skipString();
      }
      return;
    case RdbType.MODULE_2:
      c.len(); // module id
      skipModuleFields(c);
      return;
    case RdbType.STREAM_LISTPACKS:
    case RdbType.STREAM_LISTPACKS_2:
    case RdbType.STREAM_LISTPACKS_3:
      skipStream(c, type);
      return;
    default:
      throw new RdbUnsupportedTypeError(type);
  }
}
