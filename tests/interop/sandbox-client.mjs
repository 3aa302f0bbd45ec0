#!/usr/bin/env node
// sandbox-client.mjs <registryUrl> <localSecret> <out-fixture.json>
//
// Drives Confluent's official JavaScript client (@confluentinc/schemaregistry)
// against a running keywarden-sandbox over REST (no mock:// registries):
//
//   - registers Avro, JSON and Protobuf schemas with ENCRYPT / ENCRYPT_PAYLOAD
//     rules via SchemaRegistryClient.register() (POST /subjects/{s}/versions),
//     Protobuf ones as base64 FileDescriptorProtos, a referenced .proto under a
//     subject of its own first;
//   - serializes records with the official serializers, whose encryption
//     executors auto-create non-shared local-kms KEKs and DEKs through the DEK
//     Registry REST API (and DEK version 2 for a rotating rule, driven by an
//     injected clock), and ask the server to generate the DEK of a shared KEK
//     that this script pre-creates with DekRegistryClient.registerKek();
//   - deserializes every record with the official deserializers through a
//     second, fresh client (so schemas and DEKs are read back over REST) and
//     compares with the original value;
//   - checks the KEKs, DEKs and schemas with plain REST calls (fetch);
//   - audits every REST call the client made (status, error body, content type);
//   - writes a fixture in produce.mjs's format, built from the server's own
//     REST answers, for `keywarden-interop decrypt`.
//
// The local-kms secret is the sandbox's (printed in its JSON line): the client
// gets it as ruleConfig `secret`, and the server uses it for shared KEKs, so one
// secret unwraps every DEK. Prints `ok …` / `FAIL …` lines and ends with
// `N passed, M failed`; the exit status is non-zero on any failure.
//
// Debugging: SANDBOX_CLIENT_RESTLOG=FILE writes the full REST log (requests and
// answers) as JSON; SANDBOX_CLIENT_STACKS=1 prints stack traces of failed checks.

import {
  AvroDeserializer,
  AvroSerializer,
  Clock,
  DekRegistryClient,
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
import {
  PACKAGE_NAME,
  PAYLOAD_PATH,
  clientVersion,
  cloneValue,
  joinPath,
  jsonDiff,
  toJsonValue,
  writeJson,
} from './fixture-util.mjs';
import {
  canonicalJson,
  compileProtos,
  fieldView,
  readMessageIndexes,
  schemaText,
  textLeaves,
} from './protobuf-util.mjs';
import { create } from '@bufbuild/protobuf';

const [registryUrl, localSecret, outPath] = process.argv.slice(2);
if (!registryUrl || !localSecret || !outPath) {
  console.error('usage: node sandbox-client.mjs <registryUrl> <localSecret> <out-fixture.json>');
  process.exit(2);
}
const BASE = registryUrl.replace(/\/+$/, '');

// ---------------------------------------------------------------------------
// Results
// ---------------------------------------------------------------------------

let passed = 0;
let failed = 0;
function ok(name, detail = '') {
  passed++;
  console.log(`ok ${name}${detail ? `  (${detail})` : ''}`);
}
function fail(name, reason) {
  failed++;
  console.log(`FAIL ${name}: ${reason}`);
}
/** Run one named check; an exception or a returned string is a failure. */
async function check(name, fn) {
  try {
    const r = await fn();
    if (typeof r === 'string') fail(name, r);
    else ok(name, r?.detail ?? '');
  } catch (err) {
    fail(name, err?.stack && process.env.SANDBOX_CLIENT_STACKS ? err.stack : String(err?.message ?? err));
  }
}
class CheckError extends Error {}
function expect(cond, message) {
  if (!cond) throw new CheckError(message);
}

// ---------------------------------------------------------------------------
// REST call log: every request the official client sends, with its answer
// ---------------------------------------------------------------------------

const restLog = [];
const tapped = new WeakSet();

/** Log the requests of one RestService (its axios instance). */
function tapRestService(restService, who) {
  const axiosClient = restService?.client;
  if (axiosClient == null || tapped.has(axiosClient)) return;
  tapped.add(axiosClient);
  const record = (config, response) => {
    let requestBody = config?.data;
    if (typeof requestBody === 'string') {
      try { requestBody = JSON.parse(requestBody); } catch { /* keep text */ }
    }
    restLog.push({
      who,
      method: String(config?.method ?? '?').toUpperCase(),
      url: config?.url ?? '?',
      status: response?.status ?? null,
      contentType: response?.headers?.['content-type'] ?? null,
      requestBody: requestBody ?? null,
      // Copied now: the DEK client later caches the unwrapped key on the
      // very object it got from axios (setDekKeyMaterial).
      responseBody: response?.data === undefined ? null : structuredClone(response.data),
    });
  };
  axiosClient.interceptors.response.use(
    (response) => { record(response.config, response); return response; },
    (error) => { record(error?.config, error?.response); return Promise.reject(error); },
  );
}

/** The DEK Registry client an executor created in configure(). */
function dekClientOf(executor) {
  return executor instanceof FieldEncryptionExecutor ? executor.executor.client : executor.client;
}

// ---------------------------------------------------------------------------
// Clock: DEK rotation compares clock.now() with the server's DEK `ts`, which
// is the server's wall clock, so the injected clock is real time + an offset.
// ---------------------------------------------------------------------------

class OffsetClock extends Clock {
  constructor() {
    super();
    this.offsetMs = 0;
  }
  now() {
    return Date.now() + this.offsetMs;
  }
}
const DAY_MS = 24 * 60 * 60 * 1000;
const ROTATE_OFFSET_MS = DAY_MS + 60 * 60 * 1000;

// ---------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------

const NS = 'com.acme.sandbox';
const KEK_LOCAL = 'sbx-kek-local';      // auto-created by the producer, shared=false
const KEK_PAYLOAD = 'sbx-kek-payload';  // auto-created by the producer, shared=false
const KEK_SHARED = 'sbx-kek-shared';    // pre-created by this script, shared=true
const KMS_LOCAL = { 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'sbx-key-local' };

function encryptRule(params, tags = ['PII']) {
  return {
    name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT',
    tags, params, onFailure: 'ERROR,ERROR',
  };
}

const accountSchema = (doc) => ({
  type: 'record', name: 'Account', namespace: NS, doc,
  fields: [
    { name: 'accountId', type: 'string' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'secretBlob', type: 'bytes', 'confluent:tags': ['PII'] },
    { name: 'nickname', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    { name: 'balanceCents', type: 'long' },
  ],
});
const account = (n, email, blob, nickname = null) => ({
  accountId: `acct-${n}`, email, secretBlob: Buffer.from(blob, 'utf8'), nickname, balanceCents: 1000 * n,
});
const accountPaths = (a) => ['email', 'secretBlob', ...(a.nickname != null ? ['nickname'] : [])];

// One tagged field only: each encrypted field asks for the latest DEK, and with
// the clock a day ahead of the server every field would rotate again.
const tokenSchema = {
  type: 'record', name: 'SessionToken', namespace: NS,
  fields: [
    { name: 'sessionId', type: 'string' },
    { name: 'token', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'issuedAt', type: 'long' },
  ],
};

const customerSchema = {
  type: 'record', name: 'Customer', namespace: NS,
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string' },
    { name: 'avatar', type: 'bytes' },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['ACTIVE', 'SUSPENDED'] } },
    {
      name: 'address',
      type: { type: 'record', name: 'Address', fields: [
        { name: 'street', type: 'string' }, { name: 'city', type: 'string' },
      ] },
    },
    { name: 'aliases', type: { type: 'array', items: 'string' } },
    { name: 'attributes', type: { type: 'map', values: 'string' } },
  ],
};

const orderJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
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
        properties: {
          sku: { type: 'string' },
          giftMessage: { type: 'string', 'confluent:tags': ['PII'] },
        },
      },
    },
    total: { type: 'number' },
  },
};

const CASES = [
  {
    name: 'avro-autokek-gcm256',
    covers: `ENCRYPT, local-kms KEK ${KEK_LOCAL} auto-created by the producer (POST /keks, shared=false) and its DEK (client-generated, POST /keks/{kek}/deks/{subject})`,
    format: 'AVRO', topic: 'sbx-avro-autokek', schema: accountSchema('sandbox case avro-autokek-gcm256'),
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES256_GCM' })] },
    kek: KEK_LOCAL, algorithm: 'AES256_GCM', dekVersions: [1],
    records: [
      { value: account(1, 'alice@example.com', 'alice-secret-blob', 'alice-nick') },
      { value: account(2, 'bob@example.com', 'bob-secret-blob') },
      { value: account(3, 'Zoë Ærøskøbing 😀', 'third-secret-blob', '') },
    ],
  },
  {
    name: 'avro-autokek-siv',
    covers: `ENCRYPT with AES256_SIV on the same auto-created KEK (existing KEK reused, new DEK per algorithm); deterministic ciphertext`,
    format: 'AVRO', topic: 'sbx-avro-siv', schema: accountSchema('sandbox case avro-autokek-siv'),
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES256_SIV' })] },
    kek: KEK_LOCAL, algorithm: 'AES256_SIV', dekVersions: [1], deterministic: true,
    records: [
      { value: account(11, 'same@example.com', 'same-siv-blob') },
      { value: account(12, 'same@example.com', 'same-siv-blob') },
    ],
  },
  {
    name: 'avro-rotation',
    covers: 'ENCRYPT with encrypt.dek.expiry.days=1 and an injected clock: GET versions/-1, then POST of DEK version 2 once the clock is a day past the server ts; records carry the 0x00+int32 DEK version',
    format: 'AVRO', topic: 'sbx-avro-rotation', schema: tokenSchema,
    ruleSet: { domainRules: [encryptRule({
      'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES256_GCM', 'encrypt.dek.expiry.days': '1',
    })] },
    kek: KEK_LOCAL, algorithm: 'AES256_GCM', dekVersions: [1, 2],
    records: [
      { clockOffsetMs: 0, value: { sessionId: 's-1', token: 'token-before-rotation', issuedAt: 1 }, paths: ['token'], dekVersion: 1 },
      { clockOffsetMs: ROTATE_OFFSET_MS, value: { sessionId: 's-2', token: 'token-after-rotation', issuedAt: 2 }, paths: ['token'], dekVersion: 2 },
      // Back to real time: version 2 (server ts = now) is not expired.
      { clockOffsetMs: 0, value: { sessionId: 's-3', token: 'token-still-version-two', issuedAt: 3 }, paths: ['token'], dekVersion: 2 },
    ],
  },
  {
    name: 'avro-payload-header-guid',
    covers: `ENCRYPT_PAYLOAD (encodingRules) with AES128_GCM on auto-created KEK ${KEK_PAYLOAD}; schema GUID in the __value_schema_id header, so readers call GET /schemas/guids/{guid}`,
    format: 'AVRO', topic: 'sbx-avro-payload', schema: customerSchema, headerId: true,
    ruleSet: { encodingRules: [{
      name: 'encryptPayload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD',
      params: { 'encrypt.kek.name': KEK_PAYLOAD, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'sbx-key-payload', 'encrypt.dek.algorithm': 'AES128_GCM' },
      onFailure: 'ERROR,ERROR',
    }] },
    kek: KEK_PAYLOAD, algorithm: 'AES128_GCM', dekVersions: [1],
    records: [
      {
        value: {
          id: 1, name: 'Payload Person One', avatar: Buffer.from('avatar-one\u0000\u00ff', 'latin1'), status: 'ACTIVE',
          address: { street: '12 Payload Lane', city: 'Oxford' }, aliases: ['p-one', 'p-uno'], attributes: { eye: 'green-ish' },
        },
        paths: [PAYLOAD_PATH],
      },
      {
        value: {
          id: 2, name: 'Payload Person Two', avatar: Buffer.alloc(0), status: 'SUSPENDED',
          address: { street: '', city: 'Aarhus' }, aliases: [], attributes: {},
        },
        paths: [PAYLOAD_PATH],
      },
    ],
  },
  {
    name: 'json-autokek',
    covers: `JSON Schema with confluent:tags on nested and array-item properties; ENCRYPT on ${KEK_LOCAL} (KEK already exists)`,
    format: 'JSON', topic: 'sbx-json', schema: orderJsonSchema,
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL })] },
    kek: KEK_LOCAL, algorithm: 'AES256_GCM', dekVersions: [1],
    records: [
      {
        value: {
          orderId: 7001, customer: { name: 'Carol Customer', email: 'carol@example.net', city: 'Bergen' },
          items: [{ sku: 'SKU-1', giftMessage: 'Happy birthday Carol!' }, { sku: 'SKU-2' }], total: 19.99,
        },
        paths: ['customer.name', 'customer.email', 'items[0].giftMessage'],
      },
      {
        value: { orderId: 7002, customer: { name: 'Dan Ünïcødé', email: 'dan@example.net', city: 'Oslo' }, items: [], total: 0 },
        paths: ['customer.name', 'customer.email'],
      },
    ],
  },
  {
    name: 'avro-shared-kek',
    covers: `ENCRYPT on ${KEK_SHARED}, pre-created with DekRegistryClient.registerKek(shared=true); the producer POSTs a DEK without encryptedKeyMaterial and the server generates and wraps it with its local secret`,
    format: 'AVRO', topic: 'sbx-avro-shared', schema: accountSchema('sandbox case avro-shared-kek'),
    // No kms type / key id: the KEK must already exist.
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK_SHARED, 'encrypt.dek.algorithm': 'AES256_GCM' })] },
    kek: KEK_SHARED, algorithm: 'AES256_GCM', dekVersions: [1], shared: true,
    records: [
      { value: account(21, 'shared-one@example.com', 'shared-blob-one', 'shared-nick') },
      { value: account(22, 'shared-two@example.com', 'shared-blob-two') },
    ],
  },
  {
    name: 'proto-references',
    covers: `Protobuf ENCRYPT on ${KEK_LOCAL} (AES256_GCM) with a schema reference: kw/interop/common.proto registered under its own subject first, both as base64 FileDescriptorProtos; the clients fetch them with ?format=serialized; tagged top-level string, bytes and oneof member, nested and map fields untagged`,
    format: 'PROTOBUF', topic: 'sbx-proto-references',
    proto: 'kw/interop/customer.proto', messageType: 'kw.interop.Customer', messageIndexes: [0],
    references: [{ name: 'kw/interop/common.proto', subject: 'sbx-proto-common', version: 1, proto: 'kw/interop/common.proto' }],
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES256_GCM' })] },
    kek: KEK_LOCAL, algorithm: 'AES256_GCM', dekVersions: [1],
    records: [
      {
        value: {
          id: 501n, fullName: 'Proto Person One', avatar: Buffer.from('proto-avatar\u0000\u00ff', 'latin1'), nickname: 'proto-nick',
          status: 1, address: { line1: '1 Protocol Road', postcode: 'PB1 2CD', countryCode: 'DK' },
          contacts: [{ kind: 'email', value: 'proto-contact@example.com', channel: 1 }],
          labels: { tier: 'silver' }, contactsByKind: { home: { kind: 'home', value: 'proto-home-value' } },
          reach: { case: 'email', value: 'proto-one@example.com' }, aliases: ['p-one'], loyaltyPoints: 18446744073709551615n,
        },
        paths: ['full_name', 'avatar', 'nickname', 'email'],
      },
      // Defaults: avatar and nickname are empty, and still encrypted.
      { value: { id: 502n, fullName: 'Zoë Protobuf 😀', reach: { case: 'phone', value: '+45-1234-5678' } }, paths: ['full_name', 'avatar', 'nickname', 'phone'] },
    ],
  },
  {
    name: 'proto-siv',
    covers: `Protobuf ENCRYPT with AES256_SIV on ${KEK_LOCAL}: deterministic ciphertext of a string and a bytes field`,
    format: 'PROTOBUF', topic: 'sbx-proto-siv',
    proto: 'kw/interop/account.proto', messageType: 'kw.interop.accounts.Account', messageIndexes: [0],
    ruleSet: { domainRules: [encryptRule({ 'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES256_SIV' })] },
    kek: KEK_LOCAL, algorithm: 'AES256_SIV', dekVersions: [1], deterministic: true,
    records: [
      { value: { accountId: 'acct-p1', email: 'same-proto@example.com', secretBlob: Buffer.from('same-proto-blob'), balanceCents: 1n }, paths: ['email', 'secret_blob'] },
      { value: { accountId: 'acct-p2', email: 'same-proto@example.com', secretBlob: Buffer.from('same-proto-blob'), balanceCents: 2n }, paths: ['email', 'secret_blob'] },
    ],
  },
  {
    name: 'proto-gcm128-metadata-tags',
    covers: `Protobuf ENCRYPT on ${KEK_LOCAL} with AES128_GCM; tags only from metadata.tags wildcards (an exact name, **.email_address, kw.interop.clinic.*.scan; kw.interop.*.ward must not match) and params in metadata.properties; the record type is the second message of its file (message indexes [1]); a nested message, a repeated message and a map, untagged`,
    format: 'PROTOBUF', topic: 'sbx-proto-metadata-tags',
    proto: 'kw/interop/clinic.proto', messageType: 'kw.interop.clinic.Patient', messageIndexes: [1],
    metadata: {
      tags: {
        'kw.interop.clinic.Patient.ssn': ['PII'],
        '**.email_address': ['PII'],
        'kw.interop.clinic.*.scan': ['PII'],
        // `*` stays inside one name segment: no match for kw.interop.clinic.Patient.ward.
        'kw.interop.*.ward': ['PII'],
      },
      properties: { 'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES128_GCM' },
    },
    ruleSet: { domainRules: [encryptRule({})] },
    kek: KEK_LOCAL, algorithm: 'AES128_GCM', dekVersions: [1],
    records: [
      {
        value: {
          ssn: '123-45-6789', emailAddress: 'sandbox-patient@example.org', ward: 'ward-7',
          scan: Buffer.from('sandbox-scan-\u0001\u0002', 'latin1'),
          lastVisit: { day: 3, ward: 'ward-3', attendingEmail: 'sandbox-doctor@example.org' },
          visits: [{ day: 1, ward: 'ward-1' }, { day: 2, attendingEmail: 'sandbox-nurse@example.org' }],
          notes: { allergy: 'penicillin-allergy' },
        },
        paths: ['ssn', 'email_address', 'scan'],
      },
      // Defaults: email_address and scan are empty, and still encrypted.
      { value: { ssn: '000-00-0001', ward: 'ward-1' }, paths: ['ssn', 'email_address', 'scan'] },
    ],
  },
  {
    name: 'proto-rotation',
    covers: `Protobuf ENCRYPT on ${KEK_LOCAL} (AES256_GCM) with encrypt.dek.expiry.days=1 and the injected clock (as avro-rotation): DEK versions 1, 2, 2 with the version prefix; the rule's tag (ROT) is given to email only, by metadata.tags, so one field per record asks for the latest DEK`,
    format: 'PROTOBUF', topic: 'sbx-proto-rotation',
    proto: 'kw/interop/account.proto', doc: 'sandbox case proto-rotation',
    messageType: 'kw.interop.accounts.Account', messageIndexes: [0],
    metadata: { tags: { 'kw.interop.accounts.Account.email': ['ROT'] } },
    ruleSet: { domainRules: [encryptRule({
      'encrypt.kek.name': KEK_LOCAL, ...KMS_LOCAL, 'encrypt.dek.algorithm': 'AES256_GCM', 'encrypt.dek.expiry.days': '1',
    }, ['ROT'])] },
    kek: KEK_LOCAL, algorithm: 'AES256_GCM', dekVersions: [1, 2],
    records: [
      { clockOffsetMs: 0, value: { accountId: 'acct-r1', email: 'rot-before@example.com', secretBlob: Buffer.from('rot-blob-1'), balanceCents: 1n }, paths: ['email'], dekVersion: 1 },
      { clockOffsetMs: ROTATE_OFFSET_MS, value: { accountId: 'acct-r2', email: 'rot-after@example.com', secretBlob: Buffer.from('rot-blob-2'), balanceCents: 2n }, paths: ['email'], dekVersion: 2 },
      // Back to real time: version 2 (server ts = now) is not expired.
      { clockOffsetMs: 0, value: { accountId: 'acct-r3', email: 'rot-still-two@example.com', secretBlob: Buffer.from('rot-blob-3'), balanceCents: 3n }, paths: ['email'], dekVersion: 2 },
    ],
  },
  {
    name: 'proto-payload-nested-type',
    covers: `Protobuf ENCRYPT_PAYLOAD (AES256_GCM) on ${KEK_PAYLOAD}; the record type is a nested message (kw.interop.events.Envelope.AuditEvent, message indexes [0, 1], in the clear before the encrypted body); a nested message, repeated string, map and sint64 inside the payload`,
    format: 'PROTOBUF', topic: 'sbx-proto-payload',
    proto: 'kw/interop/events.proto', messageType: 'kw.interop.events.Envelope.AuditEvent', messageIndexes: [0, 1],
    ruleSet: { encodingRules: [{
      name: 'encryptPayload', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD',
      params: { 'encrypt.kek.name': KEK_PAYLOAD, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'sbx-key-payload', 'encrypt.dek.algorithm': 'AES256_GCM' },
      onFailure: 'ERROR,ERROR',
    }] },
    kek: KEK_PAYLOAD, algorithm: 'AES256_GCM', dekVersions: [1],
    records: [
      {
        value: {
          eventId: 'evt-sbx-proto-1', actor: 'admin-actor-sandbox', detail: { action: 'login', target: 'console-sandbox' },
          labels: ['audit-a', 'audit-b'], attrs: { source: 'sso-gateway' },
          signature: Buffer.from('sig-bytes-sandbox-1'), sequence: -9007199254740993n,
        },
        paths: [PAYLOAD_PATH],
      },
      { value: { eventId: 'evt-sbx-proto-2' }, paths: [PAYLOAD_PATH] },
    ],
  },
];

for (const c of CASES) {
  for (const r of c.records) r.paths ??= accountPaths(r.value);
}

const subjectOf = (c) => `${c.topic}-${c.isKey ? 'key' : 'value'}`;

// Protobuf: the .proto files under proto/ (see produce.mjs), registered as
// base64 serialized FileDescriptorProtos, the form the serializer itself
// registers and asks for (`?format=serialized`).
const PROTOS = compileProtos([...new Set(CASES.filter((c) => c.proto).map((c) => c.proto))]);
const protoDesc = (c) => PROTOS.registry.getMessage(c.messageType);
/** The value to serialize: a fresh copy (serialize() rewrites it in place), a message for Protobuf. */
const messageOf = (c, value) => (c.format === 'PROTOBUF' ? create(protoDesc(c), cloneValue(value)) : cloneValue(value));
const SERIALIZERS = { AVRO: AvroSerializer, JSON: JsonSerializer, PROTOBUF: ProtobufSerializer };
const DESERIALIZERS = { AVRO: AvroDeserializer, JSON: JsonDeserializer, PROTOBUF: ProtobufDeserializer };
/** Schema subjects the cases register: references first, then the cases' own. */
const REFERENCES = CASES.flatMap((c) => c.references ?? []);

// ---------------------------------------------------------------------------
// Official client set-up
// ---------------------------------------------------------------------------

LocalKmsDriver.register();
const ruleConfig = { secret: localSecret };

/** A REST SchemaRegistryClient plus its own executors (and so DEK clients). */
function newClientSet(label, clock) {
  const sr = SchemaRegistryClient.newClient({ baseURLs: [BASE], cacheCapacity: 1000 });
  tapRestService(sr.restService, `${label}-sr`);
  const fieldExecutor = new FieldEncryptionExecutor(clock);
  const payloadExecutor = new EncryptionExecutor(clock);
  const registry = new RuleRegistry();
  registry.registerExecutor(fieldExecutor);
  registry.registerExecutor(payloadExecutor);
  // The raw registry shares the executors but skips field decryption: it
  // yields the fields as stored on the wire (for the ciphertext checks).
  const rawRegistry = new RuleRegistry();
  rawRegistry.registerExecutor(fieldExecutor);
  rawRegistry.registerExecutor(payloadExecutor);
  rawRegistry.registerOverride({ type: 'ENCRYPT', disabled: true });
  const set = { label, sr, fieldExecutor, payloadExecutor, registry, rawRegistry };
  set.tapDekClients = () => {
    tapRestService(dekClientOf(fieldExecutor)?.restService, `${label}-dek(field)`);
    tapRestService(dekClientOf(payloadExecutor)?.restService, `${label}-dek(payload)`);
  };
  return set;
}

function newSerializer(set, c) {
  const Ser = SERIALIZERS[c.format];
  const ser = new Ser(set.sr, c.isKey ? SerdeType.KEY : SerdeType.VALUE, {
    ...(c.format === 'PROTOBUF' ? { registry: PROTOS.registry } : {}),
    autoRegisterSchemas: false,
    useLatestVersion: true,
    ruleConfig,
    subjectNameStrategyType: SubjectNameStrategyType.TOPIC,
    ...(c.headerId ? { schemaIdSerializer: HeaderSchemaIdSerializer } : {}),
  }, set.registry);
  set.tapDekClients();
  return ser;
}

function newDeserializer(set, c, raw = false) {
  const Deser = DESERIALIZERS[c.format];
  // Default subject name strategy (ASSOCIATED): exercises GET /associations/…,
  // which falls back to the topic strategy on 404.
  const deser = new Deser(set.sr, c.isKey ? SerdeType.KEY : SerdeType.VALUE, { ruleConfig },
    raw ? set.rawRegistry : set.registry);
  set.tapDekClients();
  return deser;
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const concretePath = (p) => p.replace(/\[(\d+)\]|\{([^}]*)\}/g, (_, i, k) => `.${i ?? k}`);
const fieldPath = (p) => p.replace(/\[\d+\]|\{[^}]*\}/g, '');
function valueAt(root, path) {
  let v = root;
  for (const seg of concretePath(path).split('.')) v = v?.[seg];
  return v;
}
function* leaves(value, path = '') {
  if (value === null || value === undefined) return;
  if (Buffer.isBuffer(value) || typeof value !== 'object') {
    yield [path, value];
    return;
  }
  for (const [k, v] of Object.entries(value)) yield* leaves(v, joinPath(path, k));
}
const plaintextBytes = (v) => (Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, 'utf8') : null);
const ciphertextBytes = (v) => (Buffer.isBuffer(v) ? v : Buffer.from(v, 'base64'));

function dekVersionPrefix(ct) {
  expect(ct.length > 5 && ct[0] === 0, 'rotated ciphertext does not start with 0x00');
  return ct.readInt32BE(1);
}

async function localKmsDecrypt(b64) {
  const kms = new LocalKmsDriver().newKmsClient(new Map([['secret', localSecret]]), 'local-kms://any');
  return Buffer.from(await kms.decrypt(Buffer.from(b64, 'base64')));
}

async function rest(method, path, body) {
  const res = await fetch(`${BASE}${path}`, {
    method,
    headers: { 'Content-Type': 'application/vnd.schemaregistry.v1+json', Accept: 'application/json' },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  let json = null;
  try { json = text === '' ? null : JSON.parse(text); } catch { /* not JSON */ }
  return { status: res.status, json, text, contentType: res.headers.get('content-type') };
}
async function restOk(method, path) {
  const r = await rest(method, path);
  expect(r.status === 200, `${method} ${path} -> ${r.status} ${r.text.slice(0, 200)}`);
  return r.json;
}

const enc = encodeURIComponent;
const keys = (o) => Object.keys(o ?? {}).sort().join(',');

// ---------------------------------------------------------------------------
// 1. Register schemas, pre-create the shared KEK, produce
// ---------------------------------------------------------------------------

const writerClock = new OffsetClock();
const writer = newClientSet('writer', writerClock);
const produced = []; // { c, rec, bytes, headers, schemaId }

async function registerSchemas() {
  for (const ref of REFERENCES) {
    await check(`register reference ${ref.subject} (${ref.name})`, async () => {
      const info = { schemaType: 'PROTOBUF', schema: schemaText(PROTOS, ref.proto) };
      const id = await writer.sr.register(ref.subject, info);
      const version = await writer.sr.getVersion(ref.subject, info);
      expect(version === ref.version, `registered as version ${version}, the case names ${ref.version}`);
      return { detail: `id ${id}, version ${version}` };
    });
  }
  for (const c of CASES) {
    await check(`register ${subjectOf(c)}`, async () => {
      const info = {
        schemaType: c.format,
        schema: c.format === 'PROTOBUF' ? schemaText(PROTOS, c.proto, c.doc) : JSON.stringify(c.schema),
        ...(c.references ? { references: c.references.map(({ name, subject, version }) => ({ name, subject, version })) } : {}),
        ...(c.metadata ? { metadata: c.metadata } : {}),
        ruleSet: c.ruleSet,
      };
      const id = await writer.sr.register(subjectOf(c), info);
      expect(Number.isInteger(id) && id > 0, `register() returned id ${JSON.stringify(id)}`);
      c.schemaId = id;
      // The client caches `latest` per subject whatever the format, and the
      // Protobuf serializer asks for ?format=serialized: ask the same way.
      const latest = await writer.sr.getLatestSchemaMetadata(subjectOf(c), c.format === 'PROTOBUF' ? 'serialized' : undefined);
      if (c.format === 'PROTOBUF') expect(latest.schema === info.schema, 'latest (format=serialized) is not the FileDescriptorProto as registered');
      expect(latest.id === id, `latest version has id ${latest.id}, register() said ${id}`);
      expect(typeof latest.guid === 'string' && /^[0-9a-f-]{36}$/.test(latest.guid), `latest has no GUID: ${latest.guid}`);
      expect(jsonDiff(toJsonValue(c.ruleSet), toJsonValue(latest.ruleSet)) === null,
        `ruleSet not stored as sent: ${jsonDiff(toJsonValue(c.ruleSet), toJsonValue(latest.ruleSet))}`);
      c.guid = latest.guid;
      return { detail: `id ${id}, version ${latest.version}` };
    });
  }
}

async function precreateSharedKek() {
  await check(`pre-create shared KEK ${KEK_SHARED}`, async () => {
    const client = DekRegistryClient.newClient({ baseURLs: [BASE] });
    tapRestService(client.restService, 'setup-dek');
    const kek = await client.registerKek(KEK_SHARED, 'local-kms', 'sbx-key-shared', true, undefined, 'shared KEK for the sandbox interop test');
    expect(kek.name === KEK_SHARED && kek.shared === true && kek.kmsType === 'local-kms',
      `unexpected answer ${JSON.stringify(kek)}`);
    return { detail: `ts ${kek.ts}` };
  });
}

async function produceCase(c) {
  const ser = newSerializer(writer, c);
  for (const [i, rec] of c.records.entries()) {
    writerClock.offsetMs = rec.clockOffsetMs ?? 0;
    const headers = {};
    try {
      const bytes = await ser.serialize(c.topic, messageOf(c, rec.value), headers);
      produced.push({ c, rec, index: i, bytes, headers });
    } catch (err) {
      fail(`${c.name}#${i} serialize`, String(err?.message ?? err));
    }
  }
  writerClock.offsetMs = 0;
}

/**
 * The race paths of the executors: a KEK or DEK that another producer created
 * first must be refused with 409 (the executors then re-read it). Uses the
 * official DekRegistryClient with empty caches.
 */
async function conflictChecks() {
  const client = DekRegistryClient.newClient({ baseURLs: [BASE] });
  tapRestService(client.restService, 'race-dek');
  const expect409 = async (what, fn) => {
    try {
      const r = await fn();
      return `${what} was accepted (${JSON.stringify(r)}), Confluent answers 409/40971`;
    } catch (err) {
      expect(err?.status === 409 && err?.errorCode === 40971, `${what}: got ${err?.status}/${err?.errorCode} ${err?.message}`);
      return { detail: `${err.status}/${err.errorCode}` };
    }
  };
  await check(`race: POST /keks for existing ${KEK_LOCAL}`, () =>
    expect409('re-creating the KEK', () => client.registerKek(KEK_LOCAL, 'local-kms', 'sbx-key-local', false)));
  await check('race: POST existing DEK version 1 with other key material', async () => {
    const mine = await new LocalKmsDriver().newKmsClient(new Map([['secret', localSecret]]), 'local-kms://x')
      .encrypt(Buffer.alloc(34, 7));
    return expect409('re-creating DEK v1', () =>
      client.registerDek(KEK_LOCAL, 'sbx-avro-autokek-value', 'AES256_GCM', 1, Buffer.from(mine).toString('base64')));
  });
  await check(`race: POST existing DEK version 1 on shared ${KEK_SHARED} without key material`, () =>
    expect409('re-creating shared DEK v1', () => client.registerDek(KEK_SHARED, 'sbx-avro-shared-value', 'AES256_GCM', 1)));
}

// ---------------------------------------------------------------------------
// 2. Read back with a fresh client set (everything over REST again)
// ---------------------------------------------------------------------------

const reader = newClientSet('reader', new Clock());

/**
 * The record as the checks see it: `original` and `stored` (decoded with field
 * decryption off) as JSON trees of one shape, the bytes of a leaf's plaintext
 * and ciphertext, and how a decoded value renders for comparison with
 * `original`. Protobuf trees list every field by its proto name (defaults
 * too: the serializer encrypts empty tagged values as well).
 */
function recordViews(c, rec, raw) {
  if (c.format === 'PROTOBUF') {
    const desc = protoDesc(c);
    const msg = messageOf(c, rec.value);
    const plaintexts = new Map(textLeaves(desc, msg));
    const stored = fieldView(desc, raw);
    return {
      original: fieldView(desc, msg),
      stored,
      plaintextAt: (x) => plaintexts.get(x),
      allPlaintexts: () => [...plaintexts.values()],
      ciphertextAt: (x) => Buffer.from(valueAt(stored, x), 'base64'),
      render: (value) => fieldView(desc, value),
    };
  }
  return {
    original: toJsonValue(rec.value),
    stored: toJsonValue(raw),
    plaintextAt: (x) => plaintextBytes(valueAt(rec.value, x)),
    allPlaintexts: () => [...leaves(rec.value)].map(([, v]) => plaintextBytes(v)),
    ciphertextAt: (x) => ciphertextBytes(valueAt(raw, x)),
    render: toJsonValue,
  };
}

async function checkRecord(p) {
  const { c, rec, bytes, headers } = p;
  const payloadEncrypted = rec.paths.includes(PAYLOAD_PATH);
  const fieldPaths = rec.paths.filter((x) => x !== PAYLOAD_PATH);

  // Framing: prefix with the registered id, or the GUID header and no prefix.
  if (c.headerId) {
    const h = headers['__value_schema_id'];
    expect(h != null, 'no __value_schema_id header');
    const hb = Buffer.from(h);
    expect(hb[0] === 1 && hb.subarray(1, 17).toString('hex') === c.guid.replaceAll('-', ''),
      `header does not carry GUID ${c.guid}`);
  } else {
    expect(bytes[0] === 0 && bytes.readInt32BE(1) === c.schemaId, `prefix does not name schema id ${c.schemaId}`);
  }
  if (c.format === 'PROTOBUF') {
    const { indexes } = readMessageIndexes(bytes.subarray(c.headerId ? 0 : 5));
    expect(JSON.stringify(indexes) === JSON.stringify(c.messageIndexes), `message indexes ${JSON.stringify(indexes)}, want ${JSON.stringify(c.messageIndexes)}`);
  }

  // With field decryption off: the fields as stored.
  const raw = await newDeserializer(reader, c, true).deserialize(c.topic, bytes, headers);
  const views = recordViews(c, rec, raw);

  // No plaintext of an encrypted leaf is visible in the bytes.
  const mustNotLeak = payloadEncrypted ? views.allPlaintexts() : fieldPaths.map(views.plaintextAt);
  for (const pt of mustNotLeak) {
    if (pt != null && pt.length >= 4) expect(!bytes.includes(pt), `plaintext ${JSON.stringify(pt.toString('utf8'))} visible in the record`);
  }

  // Exactly the declared leaves differ.
  const { original, stored } = views;
  const differing = [];
  const walk = (o, s, path) => {
    if (o !== null && typeof o === 'object') {
      expect(s !== null && typeof s === 'object', `shape changed at ${path}`);
      for (const k of Object.keys(o)) walk(o[k], s[k], joinPath(path, k));
    } else if (!Object.is(o, s)) {
      differing.push(path);
    }
  };
  walk(original, stored, '');
  expect(JSON.stringify(differing.sort()) === JSON.stringify(fieldPaths.map(concretePath).sort()),
    `encrypted leaves ${JSON.stringify(differing)} differ from declared ${JSON.stringify(fieldPaths)}`);
  for (const x of fieldPaths) {
    const ct = views.ciphertextAt(x);
    if (rec.dekVersion != null) {
      const v = dekVersionPrefix(ct);
      expect(v === rec.dekVersion, `${x} encrypted with DEK version ${v}, expected ${rec.dekVersion}`);
    }
    if (c.deterministic) {
      const key = `${x}=${views.plaintextAt(x).toString('base64')}`;
      c.sivSeen ??= new Map();
      const seen = c.sivSeen.get(key);
      if (seen) expect(seen.equals(ct), `SIV ciphertext of ${x} is not deterministic`);
      c.sivSeen.set(key, ct);
    }
  }

  // The official deserializer (fresh client, REST) gives the original value.
  const value = await newDeserializer(reader, c).deserialize(c.topic, bytes, headers);
  const d = jsonDiff(original, views.render(value));
  expect(d === null, `round trip differs: ${d}`);
  return { detail: `${bytes.length} bytes, encrypted ${rec.paths.join(' ')}${rec.dekVersion ? `, DEK v${rec.dekVersion}` : ''}` };
}

// ---------------------------------------------------------------------------
// 3. Server state over plain REST
// ---------------------------------------------------------------------------

const KEK_FIELDS = 'kmsKeyId,kmsProps,kmsType,name,shared,ts';
const DEK_FIELDS = 'algorithm,encryptedKeyMaterial,kekName,subject,ts,version';
const state = { keks: [], deks: [] };

function expectedKeks() {
  const m = new Map();
  for (const c of CASES) {
    const t = m.get(c.kek) ?? new Map();
    const subj = subjectOf(c);
    t.set(`${subj}|${c.algorithm}`, { subject: subj, algorithm: c.algorithm, versions: c.dekVersions, shared: Boolean(c.shared) });
    m.set(c.kek, t);
  }
  return m;
}

async function verifyServerState() {
  const want = expectedKeks();
  const kekNames = [...want.keys()].sort();

  await check('REST GET /dek-registry/v1/keks', async () => {
    const list = await restOk('GET', '/dek-registry/v1/keks');
    expect(JSON.stringify(list) === JSON.stringify(kekNames), `got ${JSON.stringify(list)}, want ${JSON.stringify(kekNames)}`);
    return { detail: JSON.stringify(list) };
  });

  for (const name of kekNames) {
    const shared = name === KEK_SHARED;
    await check(`REST GET /dek-registry/v1/keks/${name}`, async () => {
      const k = await restOk('GET', `/dek-registry/v1/keks/${enc(name)}`);
      const fields = keys(k);
      expect(fields === KEK_FIELDS || fields === `doc,${KEK_FIELDS}`, `fields ${fields}`);
      expect(k.name === name && k.kmsType === 'local-kms' && typeof k.kmsKeyId === 'string', `bad KEK ${JSON.stringify(k)}`);
      expect(k.shared === shared, `shared=${k.shared}, want ${shared}`);
      expect(JSON.stringify(k.kmsProps) === '{}', `kmsProps ${JSON.stringify(k.kmsProps)}`);
      expect(Number.isInteger(k.ts) && Math.abs(Date.now() - k.ts) < 10 * 60 * 1000, `ts ${k.ts} not a recent epoch-ms`);
      state.keks.push(k);
      return { detail: `kmsKeyId ${k.kmsKeyId}, shared ${k.shared}` };
    });

    const triples = [...want.get(name).values()];
    const subjects = [...new Set(triples.map((t) => t.subject))].sort();
    await check(`REST GET /dek-registry/v1/keks/${name}/deks`, async () => {
      const list = await restOk('GET', `/dek-registry/v1/keks/${enc(name)}/deks`);
      expect(JSON.stringify(list) === JSON.stringify(subjects), `got ${JSON.stringify(list)}, want ${JSON.stringify(subjects)}`);
      return { detail: JSON.stringify(list) };
    });

    for (const t of triples) {
      const base = `/dek-registry/v1/keks/${enc(name)}/deks/${enc(t.subject)}`;
      await check(`REST GET ${base}/versions?algorithm=${t.algorithm}`, async () => {
        const list = await restOk('GET', `${base}/versions?algorithm=${t.algorithm}`);
        expect(JSON.stringify(list) === JSON.stringify(t.versions), `got ${JSON.stringify(list)}, want ${JSON.stringify(t.versions)}`);
        return { detail: JSON.stringify(list) };
      });
      for (const v of t.versions) {
        await check(`REST GET ${base}/versions/${v}?algorithm=${t.algorithm}`, async () => {
          const d = await restOk('GET', `${base}/versions/${v}?algorithm=${t.algorithm}`);
          const fields = keys(d);
          const want = t.shared ? 'algorithm,encryptedKeyMaterial,kekName,keyMaterial,subject,ts,version' : DEK_FIELDS;
          expect(fields === want, `fields ${fields}, want ${want}`);
          expect(d.kekName === name && d.subject === t.subject && d.version === v && d.algorithm === t.algorithm,
            `identity ${JSON.stringify([d.kekName, d.subject, d.version, d.algorithm])}`);
          expect(/^[A-Za-z0-9+/]+={0,2}$/.test(d.encryptedKeyMaterial), 'encryptedKeyMaterial is not standard base64');
          // Every DEK unwraps with the one local secret (client-wrapped for
          // non-shared KEKs, server-wrapped for the shared one).
          const unwrapped = await localKmsDecrypt(d.encryptedKeyMaterial);
          if (t.shared) {
            expect(unwrapped.equals(Buffer.from(d.keyMaterial, 'base64')),
              'server keyMaterial differs from encryptedKeyMaterial unwrapped with the local secret');
          }
          const { keyMaterial, ...withoutKeyMaterial } = d; // Keywarden must unwrap it itself
          state.deks.push(withoutKeyMaterial);
          return { detail: `ts ${d.ts}, ${unwrapped.length}-byte key proto` };
        });
      }
      await check(`REST GET ${base}?algorithm=${t.algorithm} (version 1)`, async () => {
        const d = await restOk('GET', `${base}?algorithm=${t.algorithm}`);
        expect(d.version === 1, `version ${d.version}, want 1 (MIN_VERSION)`);
      });
      await check(`REST GET ${base}/versions/latest?algorithm=${t.algorithm}`, async () => {
        const d = await restOk('GET', `${base}/versions/latest?algorithm=${t.algorithm}`);
        const last = t.versions[t.versions.length - 1];
        expect(d.version === last, `version ${d.version}, want ${last}`);
      });
    }
  }

  // Rotation: version 2 is younger than version 1.
  for (const c of CASES.filter((x) => x.dekVersions.length > 1)) {
    await check(`REST rotation timestamps (${subjectOf(c)})`, async () => {
      const rot = state.deks.filter((d) => d.subject === subjectOf(c)).sort((a, b) => a.version - b.version);
      expect(rot.length === 2 && rot[1].ts >= rot[0].ts, `versions ${JSON.stringify(rot.map((d) => [d.version, d.ts]))}`);
    });
  }
}

async function dumpSchemas() {
  const schemas = [];
  await check('REST GET /subjects + versions (fixture schemas)', async () => {
    const subjects = await restOk('GET', '/subjects');
    const want = [...new Set([...REFERENCES.map((r) => r.subject), ...CASES.map(subjectOf)])].sort();
    expect(JSON.stringify([...subjects].sort()) === JSON.stringify(want), `subjects ${JSON.stringify(subjects)}`);
    for (const subject of subjects) {
      for (const version of await restOk('GET', `/subjects/${enc(subject)}/versions`)) {
        const s = await restOk('GET', `/subjects/${enc(subject)}/versions/${version}`);
        schemas.push({
          id: s.id, ...(s.guid ? { guid: s.guid } : {}), subject, version: s.version,
          schemaType: s.schemaType ?? 'AVRO', schema: s.schema, references: s.references ?? [],
          metadata: s.metadata ?? null, ruleSet: s.ruleSet ?? null,
        });
        const byId = await restOk('GET', `/schemas/ids/${s.id}`);
        expect(byId.schema === s.schema, `/schemas/ids/${s.id} text differs from the version's`);
      }
    }
    schemas.sort((a, b) => a.id - b.id);
    return { detail: `${schemas.length} schemas` };
  });
  return schemas;
}

// ---------------------------------------------------------------------------
// 4. Audit the REST calls the official client made
// ---------------------------------------------------------------------------

// Answers other than 2xx the client is meant to get (and handles) here.
const NOT_FOUND_OK = [
  /^\/dek-registry\/v1\/keks\/[^/?]+\?deleted=false$/,                       // KEK before auto-create
  /^\/dek-registry\/v1\/keks\/[^/]+\/deks\/[^/]+\/versions\/(1|-1)\?/,      // DEK before create
  /^\/associations\/resources\//,                                          // ASSOCIATED strategy probe
];

function auditRestLog() {
  const problems = [];
  for (const e of restLog) {
    const where = `${e.method} ${e.url} -> ${e.status}`;
    if (e.status == null) { problems.push(`${where}: no HTTP response`); continue; }
    const isJson = /^application\/(vnd\.schemaregistry\.v1\+json|vnd\.schemaregistry\+json|json)\b/.test(e.contentType ?? '');
    if (!isJson) problems.push(`${where}: Content-Type ${e.contentType}`);
    if (e.status >= 200 && e.status < 300) continue;
    if (e.who === 'race-dek' && e.status === 409) {
      if (e.responseBody?.error_code !== 40971) problems.push(`${where}: error body ${JSON.stringify(e.responseBody)}, Confluent answers 40971`);
      continue;
    }
    if (e.status === 404 && NOT_FOUND_OK.some((re) => re.test(e.url))) {
      const b = e.responseBody;
      if (!(b && Number.isInteger(b.error_code) && typeof b.message === 'string')) {
        problems.push(`${where}: error body ${JSON.stringify(b)} lacks error_code/message`);
      } else if (e.url.startsWith('/dek-registry/') && b.error_code !== 40470) {
        problems.push(`${where}: error_code ${b.error_code}, Confluent answers 40470`);
      }
      continue;
    }
    problems.push(`${where}: unexpected status, body ${JSON.stringify(e.responseBody)}`);
  }
  // Requests and answers the executors depend on.
  for (const e of restLog.filter((x) => x.method === 'POST' && /^\/dek-registry\/v1\/keks$/.test(x.url) && x.status === 200)) {
    const b = e.responseBody ?? {};
    if (keys(b) !== KEK_FIELDS && keys(b) !== `doc,${KEK_FIELDS}`) problems.push(`POST /keks answer fields ${keys(b)}`);
    if (b.shared !== e.requestBody?.shared) problems.push(`POST /keks shared=${b.shared}, sent ${e.requestBody?.shared}`);
  }
  for (const e of restLog.filter((x) => x.method === 'POST' && /\/deks\//.test(x.url) && x.status === 200)) {
    const req = e.requestBody ?? {};
    const b = e.responseBody ?? {};
    if (req.encryptedKeyMaterial != null) {
      if (b.encryptedKeyMaterial !== req.encryptedKeyMaterial) problems.push(`${e.url}: stored encryptedKeyMaterial differs from the one sent`);
      if (b.keyMaterial != null) problems.push(`${e.url}: keyMaterial returned for a non-shared KEK`);
    } else if (!(b.encryptedKeyMaterial && b.keyMaterial)) {
      problems.push(`${e.url}: shared-KEK DEK answer lacks keyMaterial/encryptedKeyMaterial: ${JSON.stringify(b)}`);
    }
    if (b.version !== req.version || b.algorithm !== req.algorithm || b.subject !== req.subject) {
      problems.push(`${e.url}: answer identity ${JSON.stringify([b.subject, b.version, b.algorithm])} differs from request`);
    }
  }
  return problems;
}

function printRestLog() {
  const seen = new Map();
  for (const e of restLog) {
    const k = `${e.method} ${e.url} -> ${e.status}${e.status >= 400 ? ` ${JSON.stringify(e.responseBody)}` : ''}`;
    const s = seen.get(k) ?? { n: 0, who: new Set() };
    s.n++;
    s.who.add(e.who);
    seen.set(k, s);
  }
  console.log(`REST calls made by the official client (${restLog.length} total, ${seen.size} distinct):`);
  for (const [k, s] of seen) console.log(`  ${k}${s.n > 1 ? `  x${s.n}` : ''}  [${[...s.who].join(', ')}]`);
}

// ---------------------------------------------------------------------------

async function main() {
  console.log(`${PACKAGE_NAME} ${await clientVersion()} against ${BASE}`);
  await registerSchemas();
  await precreateSharedKek();
  for (const c of CASES) await produceCase(c);
  await conflictChecks();

  for (const p of produced) {
    await check(`${p.c.name}#${p.index} round trip`, () => checkRecord(p));
  }

  await verifyServerState();
  const schemas = await dumpSchemas();

  const problems = auditRestLog();
  printRestLog();
  if (process.env.SANDBOX_CLIENT_RESTLOG) await writeJson(process.env.SANDBOX_CLIENT_RESTLOG, restLog);
  if (problems.length === 0) ok('REST answers to the official client', `${restLog.length} calls`);
  for (const pr of problems) fail('REST answer', pr);

  const records = produced.map(({ c, rec, bytes, headers }) => ({
    case: c.name,
    topic: c.topic,
    subject: subjectOf(c),
    isKey: Boolean(c.isKey),
    value: bytes.toString('base64'),
    headers: Object.entries(headers).map(([key, value]) => ({ key, value: Buffer.from(value).toString('base64') })),
    expected: c.format === 'PROTOBUF' ? canonicalJson(protoDesc(c), messageOf(c, rec.value)) : toJsonValue(rec.value),
    encryptedPaths: [...new Set(rec.paths.map(fieldPath))],
    ...(c.format === 'PROTOBUF' ? { messageType: c.messageType, messageIndexes: c.messageIndexes } : {}),
  }));
  const fixture = {
    generator: `${PACKAGE_NAME} ${await clientVersion()} against keywarden-sandbox REST`,
    localSecret,
    keks: state.keks.map((k) => ({ ...k, kmsProps: k.kmsProps ?? {}, deleted: Boolean(k.deleted) })),
    deks: state.deks.map((d) => ({ ...d, deleted: Boolean(d.deleted) })),
    schemas,
    records,
  };
  await writeJson(outPath, fixture);
  console.log(`wrote ${outPath}: ${records.length} records, ${fixture.keks.length} KEKs, `
    + `${fixture.deks.length} DEKs, ${schemas.length} schemas`);

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
