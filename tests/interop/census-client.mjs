#!/usr/bin/env node
// census-client.mjs <registryUrl> <localSecret> <out.json>
//
// Writes the records for the census interop test (run-census-client.sh) with
// Confluent's official JavaScript serializers against a running
// keywarden-sandbox (REST Schema Registry and DEK Registry, no mock://), and
// tallies how many values it encrypted under each DEK version.
//
// The records come in BATCHES, each serialized by a fresh client set (new
// registry client, new executors, empty DEK caches), as a restarted producer
// would. Every rule but the key's has encrypt.dek.expiry.days=1, and each
// batch runs with a clock fixed at "the moment the batch started + 1 day":
// every DEK the server stamped before the batch is then expired, and the one
// the batch creates (stamped by the server during the batch, later than that
// moment) is not. So batch b encrypts everything under DEK version b of its
// subject, however many values a record has: v1 -> v2 -> v3.
//
// Cases (see CASES): Avro with several encrypted values per record (tagged
// string and nullable fields, each item of a tagged array, each value of a
// tagged map, a tagged field of each array element) and an encrypted Avro key
// without expiry (no version prefix: counted against version 1); a JSON
// Schema with tagged nested and array-item properties, AES256_SIV;
// ENCRYPT_PAYLOAD (one per record) framed by the schema GUID header; and
// Protobuf (kw/interop/customer.proto, whose reference common.proto is
// registered under a subject of its own first) with AES128_GCM: tagged
// top-level string and bytes fields, encrypted also at their proto3 default,
// and a tagged oneof member when it is the one set; nested, repeated, map and
// untagged oneof fields in the clear.
//
// Every record is checked before it counts: with field decryption disabled,
// exactly the declared values are ciphertext and each carries the batch's DEK
// version prefix (or none, for the key); a payload carries it in front of the
// body; a second fresh client set deserializes it to the original value. The
// server must end with versions [1, 2, 3] for each rotating DEK.
//
// out.json: {records: [{topic, key, value, headers}], expected: {deks, topics}}
// with base64 bytes; `expected` is what `keywarden-cli census --format json`
// must print for these topics (compared by census-compare.mjs). Prints ok/FAIL
// lines and ends with `N passed, M failed`.

import {
  AvroDeserializer,
  AvroSerializer,
  Clock,
  EncryptionExecutor,
  FieldEncryptionExecutor,
  HeaderSchemaIdSerializer,
  JsonDeserializer,
  JsonSerializer,
  LocalKmsDriver,
  ProtobufDeserializer,
  ProtobufSerializer,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
  SubjectNameStrategyType,
} from '@confluentinc/schemaregistry';
import { create } from '@bufbuild/protobuf';
import { PACKAGE_NAME, clientVersion, cloneValue, jsonDiff, toJsonValue, writeJson } from './fixture-util.mjs';
import { compileProtos, fieldView, schemaText } from './protobuf-util.mjs';

const [registryUrl, localSecret, outPath] = process.argv.slice(2);
if (!registryUrl || !localSecret || !outPath) {
  console.error('usage: node census-client.mjs <registryUrl> <localSecret> <out.json>');
  process.exit(2);
}
const BASE = registryUrl.replace(/\/+$/, '');

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    const r = await fn();
    passed++;
    console.log(`ok ${name}${r ? `  (${r})` : ''}`);
    return true;
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err?.message ?? err}`);
    return false;
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

const NS = 'com.acme.census';
const KEK = 'census-kek';
const KMS = { 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'census-key' };
const DAY_MS = 24 * 60 * 60 * 1000;
const BATCHES = [
  // Records per case in each batch: different everywhere, so counts put under the wrong
  // version would not add up by chance.
  { avro: 5, json: 3, payload: 2, proto: 4 },
  { avro: 8, json: 1, payload: 4, proto: 2 },
  { avro: 3, json: 6, payload: 1, proto: 7 },
];

const encryptRule = (params) => ({
  name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT',
  tags: ['PII'], params, onFailure: 'ERROR,ERROR',
});

const patientSchema = {
  type: 'record', name: 'Patient', namespace: NS,
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'ssn', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    { name: 'aliases', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
    {
      name: 'contacts',
      type: { type: 'array', items: { type: 'record', name: 'Contact', fields: [
        { name: 'kind', type: 'string' },
        { name: 'value', type: 'string', 'confluent:tags': ['PII'] },
      ] } },
    },
    { name: 'notes', type: { type: 'map', values: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'ward', type: 'string' },
  ],
};
const patientKeySchema = {
  type: 'record', name: 'PatientKey', namespace: NS,
  fields: [{ name: 'mrn', type: 'string', 'confluent:tags': ['PII'] }],
};
function patient(batch, i) {
  const n = batch * 100 + i;
  const value = {
    id: n,
    name: `Patient ${n} Ünïcødé`,
    ssn: i % 3 === 0 ? null : `ssn-${n}-0000`,
    aliases: Array.from({ length: (i + batch) % 4 }, (_, k) => `alias-${n}-${k}`),
    contacts: Array.from({ length: (i * 2 + batch) % 3 }, (_, k) => ({ kind: k % 2 ? 'phone' : 'email', value: `contact-${n}-${k}` })),
    notes: Object.fromEntries(Array.from({ length: i % 3 }, (_, k) => [`n${k}`, `note-${n}-${k}`])),
    ward: `ward-${i % 2}`,
  };
  // One per encrypted value: null is left alone by the serializer.
  const encrypted = 1 + (value.ssn != null ? 1 : 0) + value.aliases.length + value.contacts.length
    + Object.keys(value.notes).length;
  return { key: { mrn: `mrn-${n}` }, keyEncrypted: 1, value, encrypted };
}

const orderJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order', type: 'object',
  properties: {
    orderId: { type: 'integer' },
    customer: {
      type: 'object',
      properties: {
        name: { type: 'string', 'confluent:tags': ['PII'] },
        email: { type: 'string', 'confluent:tags': ['PII'] },
        city: { type: 'string' },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sku: { type: 'string' }, giftMessage: { type: 'string', 'confluent:tags': ['PII'] } },
      },
    },
  },
};
function order(batch, i) {
  const n = batch * 100 + i;
  // Every other item has a gift message; an absent property is not encrypted.
  const items = Array.from({ length: (i + 2 * batch) % 4 }, (_, k) => (
    k % 2 === 0 ? { sku: `SKU-${n}-${k}`, giftMessage: `gift ${n}/${k}` } : { sku: `SKU-${n}-${k}` }));
  const value = { orderId: n, customer: { name: `Customer ${n}`, email: `c${n}@example.net`, city: 'Bergen' }, items };
  return { value, encrypted: 2 + items.filter((x) => 'giftMessage' in x).length };
}

const eventSchema = {
  type: 'record', name: 'Event', namespace: NS,
  fields: [{ name: 'id', type: 'long' }, { name: 'body', type: 'string' }],
};
function event(batch, i) {
  const n = batch * 100 + i;
  return { value: { id: n, body: `payload event ${n}` }, encrypted: 1, payload: true };
}

// Tagged (customer.proto): full_name, avatar and nickname, encrypted in every record even when
// empty (proto3 default), and the oneof members email and phone when set (desk_extension is not
// tagged). Confluent's JS client ignores tags below the top level, so there are none there.
function customer(batch, i) {
  const n = batch * 100 + i;
  const reach = [
    { case: 'email', value: `c${n}@example.org` },
    { case: 'phone', value: `+45-${n}` },
    { case: 'deskExtension', value: n },
    undefined,
  ][(i + batch) % 4];
  const value = {
    id: BigInt(n),
    fullName: `Proto Customer ${n} Ünïcødé`,
    avatar: i % 3 === 0 ? Buffer.alloc(0) : Buffer.from(`avatar-${n}\u0000\u00ff`, 'latin1'),
    nickname: i % 2 === 0 ? '' : `nick-${n}`,
    status: (i % 3),
    address: { line1: `${n} Protocol Road`, postcode: `PB${n}`, countryCode: 'DK' },
    contacts: Array.from({ length: (i + batch) % 3 }, (_, k) => ({ kind: k % 2 ? 'phone' : 'email', value: `contact-${n}-${k}`, channel: 1 + (k % 2) })),
    labels: Object.fromEntries(Array.from({ length: i % 3 }, (_, k) => [`l${k}`, `label-${n}-${k}`])),
    contactsByKind: i % 2 ? { home: { kind: 'home', value: `home-${n}` } } : {},
    ...(reach ? { reach } : {}),
    aliases: Array.from({ length: i % 2 }, (_, k) => `alias-${n}-${k}`),
    loyaltyPoints: BigInt(n) * 1000n,
  };
  return { value, encrypted: 3 + (reach?.case === 'email' || reach?.case === 'phone' ? 1 : 0) };
}

const CASES = [
  {
    name: 'avro-fields', size: 'avro', format: 'AVRO', topic: 'census-avro', schema: patientSchema,
    algorithm: 'AES256_GCM', make: patient,
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK, ...KMS, 'encrypt.dek.algorithm': 'AES256_GCM', 'encrypt.dek.expiry.days': '1' })] },
    // The key's rule does not rotate: no version prefix, counted against version 1.
    key: {
      schema: patientKeySchema, algorithm: 'AES256_GCM',
      ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK, ...KMS, 'encrypt.dek.algorithm': 'AES256_GCM' })] },
    },
  },
  {
    name: 'json-fields', size: 'json', format: 'JSON', topic: 'census-json', schema: orderJsonSchema,
    algorithm: 'AES256_SIV', make: order,
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK, ...KMS, 'encrypt.dek.algorithm': 'AES256_SIV', 'encrypt.dek.expiry.days': '1' })] },
  },
  {
    name: 'avro-payload', size: 'payload', format: 'AVRO', topic: 'census-payload', schema: eventSchema,
    algorithm: 'AES128_GCM', make: event, headerId: true,
    ruleSet: { encodingRules: [{
      name: 'encryptPayload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD',
      params: { 'encrypt.kek.name': KEK, ...KMS, 'encrypt.dek.algorithm': 'AES128_GCM', 'encrypt.dek.expiry.days': '1' },
      onFailure: 'ERROR,ERROR',
    }] },
  },
  {
    name: 'proto-fields', size: 'proto', format: 'PROTOBUF', topic: 'census-proto',
    proto: 'kw/interop/customer.proto', messageType: 'kw.interop.Customer',
    references: [{ name: 'kw/interop/common.proto', subject: 'census-proto-common', version: 1, proto: 'kw/interop/common.proto' }],
    algorithm: 'AES128_GCM', make: customer,
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK, ...KMS, 'encrypt.dek.algorithm': 'AES128_GCM', 'encrypt.dek.expiry.days': '1' })] },
  },
];

// Protobuf: compiled from proto/ and registered as base64 FileDescriptorProtos (as in
// sandbox-client.mjs); values are messages, compared through their proto3 JSON with every
// field present (fieldView), where ciphertexts are base64 strings.
const PROTOS = compileProtos([...new Set(CASES.filter((c) => c.proto).map((c) => c.proto))]);
const protoDesc = (c) => PROTOS.registry.getMessage(c.messageType);
const isProto = (c) => c.format === 'PROTOBUF';
/** A fresh copy to serialize (serialize() rewrites it in place), a message for Protobuf. */
const valueOf = (c, v) => (isProto(c) ? create(protoDesc(c), cloneValue(v)) : cloneValue(v));
/** A value as the JSON tree the checks compare. */
const viewOf = (c, v) => (isProto(c) ? fieldView(protoDesc(c), v) : toJsonValue(v));
const SERIALIZERS = { AVRO: AvroSerializer, JSON: JsonSerializer, PROTOBUF: ProtobufSerializer };
const DESERIALIZERS = { AVRO: AvroDeserializer, JSON: JsonDeserializer, PROTOBUF: ProtobufDeserializer };

// ---------------------------------------------------------------------------
// Client sets
// ---------------------------------------------------------------------------

LocalKmsDriver.register();
const ruleConfig = { secret: localSecret };

class FixedClock extends Clock {
  constructor(ms) {
    super();
    this.ms = ms;
  }
  now() {
    return this.ms;
  }
}

function newClientSet(clock, rawFields = false) {
  const sr = SchemaRegistryClient.newClient({ baseURLs: [BASE], cacheCapacity: 1000 });
  const registry = new RuleRegistry();
  registry.registerExecutor(new FieldEncryptionExecutor(clock));
  registry.registerExecutor(new EncryptionExecutor(clock));
  if (rawFields) registry.registerOverride({ type: 'ENCRYPT', disabled: true });
  return { sr, registry };
}

function serializer(set, c, isKey) {
  const Ser = SERIALIZERS[c.format];
  return new Ser(set.sr, isKey ? SerdeType.KEY : SerdeType.VALUE, {
    ...(isProto(c) ? { registry: PROTOS.registry } : {}),
    autoRegisterSchemas: false, useLatestVersion: true, ruleConfig,
    subjectNameStrategyType: SubjectNameStrategyType.TOPIC,
    ...(c.headerId ? { schemaIdSerializer: HeaderSchemaIdSerializer } : {}),
  }, set.registry);
}

function deserializer(set, c, isKey) {
  const Deser = DESERIALIZERS[c.format];
  return new Deser(set.sr, isKey ? SerdeType.KEY : SerdeType.VALUE,
    { ruleConfig, subjectNameStrategyType: SubjectNameStrategyType.TOPIC }, set.registry);
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------
// Checks of one serialized value
// ---------------------------------------------------------------------------

/** Paths of the leaves that differ between the original and the stored value. */
function differingLeaves(original, stored, path = '', out = []) {
  if (original !== null && typeof original === 'object') {
    expect(stored !== null && typeof stored === 'object', `shape changed at ${path}`);
    for (const k of Object.keys(original)) differingLeaves(original[k], stored[k], path ? `${path}.${k}` : k, out);
  } else if (!Object.is(original, stored)) {
    out.push([path, stored]);
  }
  return out;
}

/** The DEK version in front of a ciphertext, or null without a prefix. */
function versionOf(ciphertext, prefixed) {
  if (!prefixed) return null;
  expect(ciphertext.length > 5 && ciphertext[0] === 0, 'rotating ciphertext does not start with 0x00');
  return ciphertext.readInt32BE(1);
}

async function checkFields(raw, c, isKey, bytes, headers, original, want, wantVersion) {
  const stored = viewOf(c, await deserializer(raw, c, isKey).deserialize(c.topic, bytes, headers));
  const leaves = differingLeaves(viewOf(c, valueOf(c, original)), stored);
  expect(leaves.length === want, `${leaves.length} values are ciphertext, ${want} were to be encrypted`);
  for (const [path, ct] of leaves) {
    // Avro bytes, JSON strings and Protobuf string and bytes fields all hold the
    // ciphertext as base64 here.
    const v = versionOf(Buffer.from(ct, 'base64'), wantVersion != null);
    expect(v === wantVersion, `${path} carries DEK version ${v}, expected ${wantVersion}`);
  }
}

// ---------------------------------------------------------------------------

const records = [];
// (kek|subject|algorithm|version) -> {kek, subject, algorithm, version, encryptions, records, unprefixed, topics}
const deks = new Map();
const topics = new Map();

function tally(c, subject, algorithm, version, n, prefixed) {
  const id = `${KEK}|${subject}|${algorithm}|${version}`;
  const d = deks.get(id) ?? { kek: KEK, subject, algorithm, version, encryptions: 0, records: 0, unprefixed: 0, topics: {} };
  d.encryptions += n;
  d.records += n > 0 ? 1 : 0;
  if (!prefixed) d.unprefixed += n;
  d.topics[c.topic] = (d.topics[c.topic] ?? 0) + n;
  deks.set(id, d);
}

async function register(set) {
  for (const ref of CASES.flatMap((c) => c.references ?? [])) {
    await check(`register reference ${ref.subject} (${ref.name})`, async () => {
      const info = { schemaType: 'PROTOBUF', schema: schemaText(PROTOS, ref.proto) };
      const id = await set.sr.register(ref.subject, info);
      const version = await set.sr.getVersion(ref.subject, info);
      expect(version === ref.version, `registered as version ${version}, the case names ${ref.version}`);
      return `id ${id}`;
    });
  }
  for (const c of CASES) {
    const text = (schema) => (isProto(c) ? schemaText(PROTOS, c.proto) : JSON.stringify(schema));
    const references = c.references ? { references: c.references.map(({ name, subject, version }) => ({ name, subject, version })) } : {};
    const subjects = [[`${c.topic}-value`, c.schema, c.ruleSet], ...(c.key ? [[`${c.topic}-key`, c.key.schema, c.key.ruleSet]] : [])];
    for (const [subject, schema, ruleSet] of subjects) {
      await check(`register ${subject}`, async () => {
        const id = await set.sr.register(subject, { schemaType: c.format, schema: text(schema), ...references, ruleSet });
        expect(Number.isInteger(id) && id > 0, `register() returned ${JSON.stringify(id)}`);
        return `id ${id}`;
      });
    }
  }
}

async function runBatch(b) {
  const version = b + 1;
  // DEKs the server stamped until now are a day old on this batch's clock; those it
  // stamps from now on are not (the server and this script read the same wall clock).
  const started = Date.now();
  await sleep(20);
  const writer = newClientSet(new FixedClock(started + DAY_MS));
  const raw = newClientSet(new Clock(), true);
  const reader = newClientSet(new Clock());
  for (const c of CASES) {
    const ser = serializer(writer, c, false);
    const keySer = c.key ? serializer(writer, c, true) : null;
    for (let i = 0; i < BATCHES[b][c.size]; i++) {
      const rec = c.make(version, i);
      await check(`batch ${version} ${c.name}#${i}`, async () => {
        const headers = {};
        const keyBytes = keySer ? await keySer.serialize(c.topic, cloneValue(rec.key), headers) : null;
        const bytes = await ser.serialize(c.topic, valueOf(c, rec.value), headers);
        if (rec.payload) {
          // No framing in the body (the schema GUID is in the header): it is the ciphertext.
          const v = versionOf(bytes, true);
          expect(v === version, `payload carries DEK version ${v}, expected ${version}`);
        } else {
          await checkFields(raw, c, false, bytes, headers, rec.value, rec.encrypted, version);
        }
        if (keyBytes) await checkFields(raw, c, true, keyBytes, headers, rec.key, rec.keyEncrypted, null);
        const back = await deserializer(reader, c, false).deserialize(c.topic, bytes, headers);
        const d = jsonDiff(viewOf(c, valueOf(c, rec.value)), viewOf(c, back));
        expect(d === null, `round trip differs: ${d}`);
        if (keyBytes) {
          const k = await deserializer(reader, c, true).deserialize(c.topic, keyBytes, headers);
          expect(jsonDiff(toJsonValue(rec.key), toJsonValue(k)) === null, 'key round trip differs');
        }
        records.push({
          topic: c.topic,
          key: keyBytes ? keyBytes.toString('base64') : null,
          value: bytes.toString('base64'),
          headers: Object.entries(headers).map(([key, value]) => ({ key, value: Buffer.from(value).toString('base64') })),
        });
        tally(c, `${c.topic}-value`, c.algorithm, version, rec.encrypted, true);
        if (keyBytes) tally(c, `${c.topic}-key`, c.key.algorithm, 1, rec.keyEncrypted, false);
        const t = topics.get(c.topic) ?? { records: 0, csfleField: 0, csflePayload: 0 };
        t.records++;
        t[rec.payload ? 'csflePayload' : 'csfleField']++;
        topics.set(c.topic, t);
        return `${rec.encrypted} values under v${version}${keyBytes ? ', key under v1 (no prefix)' : ''}`;
      });
    }
  }
}

async function checkVersions() {
  for (const c of CASES) {
    const want = [[`${c.topic}-value`, c.algorithm, BATCHES.map((_, b) => b + 1)],
      ...(c.key ? [[`${c.topic}-key`, c.key.algorithm, [1]]] : [])];
    for (const [subject, algorithm, versions] of want) {
      await check(`server has DEK versions ${JSON.stringify(versions)} of ${subject}`, async () => {
        const url = `${BASE}/dek-registry/v1/keks/${KEK}/deks/${encodeURIComponent(subject)}/versions?algorithm=${algorithm}`;
        const res = await fetch(url);
        const got = await res.json();
        expect(res.status === 200 && JSON.stringify(got) === JSON.stringify(versions), `${res.status} ${JSON.stringify(got)}`);
      });
    }
  }
}

async function main() {
  console.log(`${PACKAGE_NAME} ${await clientVersion()} against ${BASE}`);
  await register(newClientSet(new Clock()));
  for (let b = 0; b < BATCHES.length; b++) await runBatch(b);
  await checkVersions();
  const expected = {
    deks: [...deks.values()].sort((a, b) => `${a.subject}|${a.version}`.localeCompare(`${b.subject}|${b.version}`)),
    topics: Object.fromEntries([...topics.entries()].sort()),
  };
  for (const d of expected.deks) {
    console.log(`encrypted ${d.encryptions} values in ${d.records} records under ${d.subject} v${d.version} (${d.algorithm})`);
  }
  await writeJson(outPath, {
    generator: `${PACKAGE_NAME} ${await clientVersion()} against keywarden-sandbox REST`, records, expected,
  });
  console.log(`wrote ${outPath}: ${records.length} records`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

try {
  await main();
} catch (err) {
  console.error(err);
  console.log(`${passed} passed, ${failed + 1} failed`);
  process.exitCode = 1;
}
