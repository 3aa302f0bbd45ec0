// Protobuf helpers shared by produce.mjs, consume.mjs and sandbox-client.mjs.
//
// The test schemas are .proto files under proto/. protoc compiles them into a
// FileDescriptorSet (with their imports), which @bufbuild/protobuf turns into
// real message types for the serializers (`conf.registry`). Confluent's
// serializers register and fetch Protobuf schemas as base64 serialized
// FileDescriptorProtos (`?format=serialized`), so that is the schema text the
// scripts register.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ScalarType,
  clone,
  create,
  createFileRegistry,
  fromBinary,
  setExtension,
  toBinary,
  toJson,
} from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema, FileDescriptorSetSchema, FileOptionsSchema } from '@bufbuild/protobuf/wkt';
import { MetaSchema, file_meta } from '@confluentinc/schemaregistry';
import { joinPath } from './fixture-util.mjs';

export const PROTO_DIR = fileURLToPath(new URL('./proto/', import.meta.url));

/**
 * Compile .proto files (paths relative to proto/) with protoc and return a
 * registry of their messages plus the FileDescriptorProtos by import path.
 */
export function compileProtos(files) {
  const dir = mkdtempSync(join(tmpdir(), 'kw-interop-proto-'));
  try {
    const out = join(dir, 'set.pb');
    try {
      execFileSync('protoc', [`-I${PROTO_DIR}`, '--include_imports', `--descriptor_set_out=${out}`, ...files],
        { stdio: ['ignore', 'inherit', 'inherit'] });
    } catch (err) {
      if (err?.code === 'ENOENT') throw new Error('protoc not found: install it (Debian: protobuf-compiler)');
      throw err;
    }
    const set = fromBinary(FileDescriptorSetSchema, readFileSync(out));
    return {
      registry: createFileRegistry(set),
      files: new Map(set.file.map((f) => [f.name, f])),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The schema text to register for a compiled file: its FileDescriptorProto,
 * serialized and base64-encoded, the form Confluent's clients use. `doc`, if
 * given, goes into the file's `(confluent.file_meta).doc` option, which gives
 * cases that share a .proto file distinct schema texts.
 */
export function schemaText(protos, file, doc) {
  let proto = protos.files.get(file);
  if (proto == null) throw new Error(`${file} was not compiled`);
  if (doc != null) {
    proto = clone(FileDescriptorProtoSchema, proto);
    proto.options ??= create(FileOptionsSchema);
    setExtension(proto.options, file_meta, create(MetaSchema, { doc }));
  }
  return Buffer.from(toBinary(FileDescriptorProtoSchema, proto)).toString('base64');
}

/** The fixture's `expected`: the canonical proto3 JSON mapping (toJson defaults). */
export function canonicalJson(desc, msg) {
  return toJson(desc, msg);
}

/**
 * Every field with its proto name and every implicit default spelled out: the
 * shape the checks compare leaf by leaf (an encrypted empty string is no
 * longer a default, so it would otherwise appear only on one side).
 */
export function fieldView(desc, msg) {
  return toJson(desc, msg, { alwaysEmitImplicit: true, useProtoFieldName: true });
}

const asBuffer = (scalar, v) => (scalar === ScalarType.BYTES ? Buffer.from(v) : Buffer.from(String(v), 'utf8'));
const isText = (scalar) => scalar === ScalarType.STRING || scalar === ScalarType.BYTES;

/**
 * Every string and bytes value of a message, as [path, Buffer], with the path
 * syntax of produce.mjs (proto field names joined by '.', `field[i]` for an
 * element, `field{key}` for a map value). The set member of a oneof is listed
 * under its own field name.
 */
export function* textLeaves(desc, msg, path = '') {
  for (const f of desc.fields) {
    let v;
    if (f.oneof != null) {
      const o = msg[f.oneof.localName];
      if (o?.case !== f.localName) continue;
      v = o.value;
    } else {
      v = msg[f.localName];
    }
    if (v == null) continue;
    const p = joinPath(path, f.name);
    switch (f.fieldKind) {
      case 'scalar':
        if (isText(f.scalar)) yield [p, asBuffer(f.scalar, v)];
        break;
      case 'message':
        yield* textLeaves(f.message, v, p);
        break;
      case 'list':
        for (const [i, e] of v.entries()) {
          if (f.listKind === 'message') yield* textLeaves(f.message, e, `${p}[${i}]`);
          else if (f.listKind === 'scalar' && isText(f.scalar)) yield [`${p}[${i}]`, asBuffer(f.scalar, e)];
        }
        break;
      case 'map':
        for (const [k, e] of Object.entries(v)) {
          if (f.mapKind === 'message') yield* textLeaves(f.message, e, `${p}{${k}}`);
          else if (f.mapKind === 'scalar' && isText(f.scalar)) yield [`${p}{${k}}`, asBuffer(f.scalar, e)];
        }
        break;
      default:
        break;
    }
  }
}

/** Message indexes of a message type: its position in the file, then in each parent. */
export function messageIndexesOf(desc) {
  const indexes = [];
  for (let d = desc; d != null; d = d.parent) {
    const siblings = d.parent != null ? d.parent.nestedMessages : d.file.messages;
    indexes.unshift(siblings.indexOf(d));
  }
  return indexes;
}

/**
 * Read the message indexes that follow the schema id in a Protobuf record
 * (zig-zag varints: count, then indexes; a single 0 stands for [0]).
 */
export function readMessageIndexes(buf) {
  let pos = 0;
  const varint = () => {
    let n = 0;
    let shift = 0;
    let b;
    do {
      if (pos >= buf.length) throw new Error('message indexes run past the end of the record');
      b = buf[pos++];
      n += (b & 0x7f) * 2 ** shift;
      shift += 7;
    } while (b & 0x80);
    return n % 2 === 1 ? -(n + 1) / 2 : n / 2;
  };
  const count = varint();
  if (count === 0) return { indexes: [0], length: pos };
  if (count < 0) throw new Error(`negative message index count ${count}`);
  const indexes = [];
  for (let i = 0; i < count; i++) indexes.push(varint());
  return { indexes, length: pos };
}
