#!/usr/bin/env node
// protobuf-limits.mjs
//
// What the pinned @confluentinc/schemaregistry does with tagged Protobuf fields
// that produce.mjs leaves out of the interop fixture, checked against its
// mock registries (proto/kw/limits/limits.proto, one ENCRYPT rule for tag PII).
// Each finding prints `ok <finding>` while the client still behaves as
// tests/interop/README.md describes, `CHANGED <finding>: <what it did>` when
// it does not. A change means the README and the fixture's Protobuf cases
// should be revisited (the client may now handle more). Exit status 0 only if
// nothing changed.
//
// The causes, in dist/serde/protobuf.js of 1.10.1: transform() recurses into a
// message value with the descriptor of the record's message instead of the
// value's own; a list is transformed element by element and then handed to the
// executor whole; maps (plain objects in @bufbuild/protobuf 2) are handed to
// the executor as a value of type MAP; fieldTransform() looks the record's type
// up among the file's top-level messages only.

import { create, toJson } from '@bufbuild/protobuf';
import {
  FieldEncryptionExecutor,
  LocalKmsDriver,
  ProtobufDeserializer,
  ProtobufSerializer,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
  SubjectNameStrategyType,
} from '@confluentinc/schemaregistry';
import { PACKAGE_NAME, clientVersion } from './fixture-util.mjs';
import { compileProtos, schemaText } from './protobuf-util.mjs';

const SECRET = 'limits-secret';
const TOPIC = 'kw-limits';
const PROTOS = compileProtos(['kw/limits/limits.proto']);

LocalKmsDriver.register();
const sr = SchemaRegistryClient.newClient({ baseURLs: ['mock://'] });
const executor = new FieldEncryptionExecutor();
const rules = new RuleRegistry();
rules.registerExecutor(executor);
// Same executor, field encryption off: writes plaintext, reads fields as stored.
const noEncryption = new RuleRegistry();
noEncryption.registerExecutor(executor);
noEncryption.registerOverride({ type: 'ENCRYPT', disabled: true });

await sr.register(`${TOPIC}-value`, {
  schemaType: 'PROTOBUF',
  schema: schemaText(PROTOS, 'kw/limits/limits.proto'),
  ruleSet: {
    domainRules: [{
      name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'], onFailure: 'ERROR,ERROR',
      params: { 'encrypt.kek.name': 'kw-kek-limits', 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'kw-key-limits' },
    }],
  },
});

const serdeConf = { ruleConfig: { secret: SECRET }, subjectNameStrategyType: SubjectNameStrategyType.TOPIC };
const desc = (name) => PROTOS.registry.getMessage(`kw.limits.${name}`);

async function write(type, init, registry = rules) {
  const ser = new ProtobufSerializer(sr, SerdeType.VALUE,
    { ...serdeConf, autoRegisterSchemas: false, useLatestVersion: true, registry: PROTOS.registry }, registry);
  return ser.serialize(TOPIC, create(desc(type), init), {});
}

/** proto3 JSON of a record, read with or without field decryption. */
async function read(type, bytes, registry = rules) {
  const msg = await new ProtobufDeserializer(sr, SerdeType.VALUE, serdeConf, registry).deserialize(TOPIC, bytes);
  return toJson(desc(type), msg, { alwaysEmitImplicit: true });
}

async function errorOf(fn) {
  try {
    await fn();
    return null;
  } catch (err) {
    return String(err?.message ?? err);
  }
}

let unchanged = 0;
let changed = 0;
async function finding(name, fn) {
  let problem;
  try {
    problem = await fn();
  } catch (err) {
    problem = `threw ${String(err?.message ?? err)}`;
  }
  if (problem == null) {
    unchanged++;
    console.log(`ok ${name}`);
  } else {
    changed++;
    console.log(`CHANGED ${name}: ${problem}`);
  }
}
const same = (a, b) => JSON.stringify(a) === JSON.stringify(b);

console.log(`${PACKAGE_NAME} ${await clientVersion()}: Protobuf field encryption limits`);

await finding('tagged fields inside nested messages (singular, list element, map value) are written in plaintext', async () => {
  const value = {
    id: 'n-1',
    inner: { secret: 'nested-secret-one', plain: 'p' },
    inners: [{ secret: 'nested-secret-two' }],
    innerMap: { k: { secret: 'nested-secret-three' } },
  };
  const bytes = await write('Nesting', value);
  for (const s of ['nested-secret-one', 'nested-secret-two', 'nested-secret-three']) {
    if (!bytes.includes(Buffer.from(s))) return `${s} is not in the record in plaintext`;
  }
  const stored = await read('Nesting', bytes, noEncryption);
  if (!same(stored, toJson(desc('Nesting'), create(desc('Nesting'), value), { alwaysEmitImplicit: true }))) {
    return `stored ${JSON.stringify(stored)}`;
  }
  return null;
});

await finding('an untagged field one level down is encrypted when the record\'s message has a tagged field of that name (singular and list element, not map value)', async () => {
  const value = {
    label: 'outer-label-value',
    single: { label: 'single-label-value', plain: 'single-plain' },
    list: [{ label: 'list-label-value' }],
    byKey: { k: { label: 'map-label-value' } },
  };
  const bytes = await write('Shadowing', value);
  const stored = await read('Shadowing', bytes, noEncryption);
  const encrypted = [
    stored.label !== value.label, stored.single.label !== value.single.label,
    stored.list[0].label !== value.list[0].label, stored.byKey.k.label !== value.byKey.k.label,
  ];
  if (!same(encrypted, [true, true, true, false])) return `encrypted [label, single, list, map] = ${JSON.stringify(encrypted)}`;
  if (stored.single.plain !== 'single-plain') return 'single.plain changed';
  const back = await read('Shadowing', bytes);
  if (back.single.label !== value.single.label || back.list[0].label !== value.list[0].label) return `read back ${JSON.stringify(back)}`;
  return null;
});

await finding('a tagged repeated string is replaced by the characters of one ciphertext (of one zero byte per element); reading it fails', async () => {
  for (const aliases of [['alias-one-value', 'alias-two-value'], []]) {
    const bytes = await write('TaggedStrings', { aliases });
    const stored = await read('TaggedStrings', bytes, noEncryption);
    if (!stored.aliases.every((a) => a.length === 1)) return `stored ${JSON.stringify(stored.aliases)}`;
    for (const a of aliases) if (bytes.includes(Buffer.from(a))) return `${a} in plaintext`;
    // The characters, joined, are one ciphertext: of Buffer.from(array of strings),
    // i.e. one 0x00 byte per element.
    const joined = stored.aliases.join('');
    const single = await write('TaggedStringsJoined', { aliases: joined }, noEncryption);
    const plaintext = (await read('TaggedStringsJoined', single)).aliases;
    if (plaintext !== '\u0000'.repeat(aliases.length)) return `joined ciphertext decrypts to ${JSON.stringify(plaintext)}`;
    const error = await errorOf(() => read('TaggedStrings', bytes));
    if (!/ciphertext too short/.test(error ?? '')) return `reading the record: ${error ?? 'succeeded'}`;
  }
  return null;
});

await finding('a tagged repeated bytes field fails to serialize', async () => {
  const error = await errorOf(() => write('TaggedBlobs', { blobs: [Buffer.from('blob-one-value')] }));
  return /invalid uint32/.test(error ?? '') ? null : `serialize: ${error ?? 'succeeded'}`;
});

await finding('a tagged map field fails to serialize, empty or not ("type MAP not supported for encryption")', async () => {
  for (const attrs of [{ a: 'attr-value' }, {}]) {
    const error = await errorOf(() => write('TaggedMap', { id: 'm', attrs }));
    if (!/type MAP not supported for encryption/.test(error ?? '')) return `attrs ${JSON.stringify(attrs)}: ${error ?? 'succeeded'}`;
  }
  return null;
});

await finding('a nested message as the record type fails to serialize under an ENCRYPT rule ("message descriptor not found")', async () => {
  const error = await errorOf(() => write('Outer.NestedRecord', { secret: 'nested-record-secret' }));
  return /message descriptor not found/.test(error ?? '') ? null : `serialize: ${error ?? 'succeeded'}`;
});

await finding('tagged string/bytes fields at their proto3 default are encrypted; a record without them cannot be read', async () => {
  const bytes = await write('Defaults', { id: 'd' });
  const stored = await read('Defaults', bytes, noEncryption);
  if (stored.secret === '' || stored.blob === '') return `stored ${JSON.stringify(stored)}`;
  const back = await read('Defaults', bytes);
  if (back.secret !== '' || back.blob !== '') return `read back ${JSON.stringify(back)}`;
  const plain = await write('Defaults', { id: 'd' }, noEncryption);
  const error = await errorOf(() => read('Defaults', plain));
  return /ciphertext too short/.test(error ?? '') ? null : `reading a record without them: ${error ?? 'succeeded'}`;
});

console.log(`${unchanged} unchanged, ${changed} changed`);
process.exitCode = changed === 0 && unchanged > 0 ? 0 : 1;
