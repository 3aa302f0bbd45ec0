#!/usr/bin/env node
// produce.mjs <out-fixture.json>
//
// Writes an interop fixture with records encrypted by Confluent's official
// JavaScript client (@confluentinc/schemaregistry). Keywarden's tests read the
// fixture and must decrypt every record to its `expected` value.
//
// Everything runs in-process against the client's own mock registries
// (`mock://` URLs) and the local-kms driver, so no server is needed. After
// producing, the mock registries' state (KEKs, DEKs, schemas) is dumped into
// the fixture so that it is self-contained.

import assert from 'node:assert/strict';
import {
  AvroDeserializer,
  AvroSerializer,
  Clock,
  HeaderSchemaIdSerializer,
  JsonDeserializer,
  JsonSerializer,
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
  newEncryptionRegistry,
  shareDekRegistry,
  toJsonValue,
  writeJson,
} from './fixture-util.mjs';
import {
  canonicalJson,
  compileProtos,
  fieldView,
  messageIndexesOf,
  readMessageIndexes,
  schemaText,
  textLeaves,
} from './protobuf-util.mjs';
import { create } from '@bufbuild/protobuf';

const LOCAL_SECRET = 'interop-secret';
const DAY_MS = 24 * 60 * 60 * 1000;
// Rotation needs (now - dek.ts) / 1 day >= expiry days; step a bit more than a day.
const ROTATE_STEP_MS = DAY_MS + 60 * 60 * 1000;

// ---------------------------------------------------------------------------
// Clock and DEK registry timestamps
// ---------------------------------------------------------------------------

/** The executors take a Clock; a settable one makes DEK rotation deterministic. */
class FakeClock extends Clock {
  constructor(start) {
    super();
    this.ms = start;
  }
  now() {
    return this.ms;
  }
  advance(ms) {
    this.ms += ms;
  }
}

const clock = new FakeClock(Date.UTC(2025, 0, 1));

/**
 * The mock DEK registry stamps every DEK with one constant `ts` and KEKs with
 * none. A real registry stores the write time, and rotation compares against
 * it: with a constant ts, every write after the first expiry would create yet
 * another DEK version (even per field). Stamp new entries with the fake clock
 * so the mock behaves like the real registry. Only timestamps are touched;
 * key generation, wrapping and encryption stay entirely in the library.
 */
function stampRegistryTimestamps(dekClient) {
  const stamped = new WeakSet();
  for (const method of ['registerKek', 'registerDek']) {
    const original = dekClient[method].bind(dekClient);
    dekClient[method] = async (...args) => {
      const entry = await original(...args);
      if (entry != null && !stamped.has(entry)) {
        entry.ts = clock.now();
        stamped.add(entry);
      }
      return entry;
    };
  }
}

// ---------------------------------------------------------------------------
// Rules
// ---------------------------------------------------------------------------

const KMS = { 'encrypt.kms.type': 'local-kms' };

function encryptRule(name, tags, params, onFailure = 'ERROR,ERROR') {
  const rule = { name, kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags, onFailure };
  if (params != null) rule.params = params;
  return rule;
}

function payloadRule(name, params) {
  return {
    name, kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT_PAYLOAD',
    params, onFailure: 'ERROR,ERROR',
  };
}

// ---------------------------------------------------------------------------
// Cases
//
// Each case has its own topic (and so its own DEK subject). `records[i].paths`
// lists every leaf that must come out encrypted; produce.mjs checks this
// against the serialized bytes. Path syntax: field names joined by '.', an
// array element as `field[i]`, a map value as `field{key}`; PAYLOAD_PATH for
// the whole body. The fixture's `encryptedPaths` drop the `[i]`/`{key}` parts
// (see fieldPath), matching Keywarden's field paths.
// ---------------------------------------------------------------------------

const NS = 'com.acme.interop';

// Avro: nested records, array of records, maps, unions, bytes, enum; tags inline.
const customerSchema = {
  type: 'record', name: 'Customer', namespace: NS,
  fields: [
    { name: 'id', type: 'long' },
    { name: 'name', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'nickname', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
    { name: 'avatar', type: 'bytes', 'confluent:tags': ['PII'] },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['ACTIVE', 'SUSPENDED'] } },
    {
      name: 'address',
      type: {
        type: 'record', name: 'Address',
        fields: [
          { name: 'street', type: 'string', 'confluent:tags': ['PII'] },
          { name: 'city', type: 'string' },
          {
            name: 'geo',
            type: {
              type: 'record', name: 'Geo',
              fields: [
                { name: 'label', type: 'string', 'confluent:tags': ['PII'] },
                { name: 'lat', type: 'double' },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'contacts',
      type: {
        type: 'array',
        items: {
          type: 'record', name: 'Contact',
          fields: [
            { name: 'kind', type: 'string' },
            { name: 'value', type: 'string', 'confluent:tags': ['PII'] },
            { name: 'note', type: ['null', 'string'], default: null, 'confluent:tags': ['PII'] },
          ],
        },
      },
    },
    { name: 'attributes', type: { type: 'map', values: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'labels', type: { type: 'map', values: 'string' } },
    { name: 'aliases', type: { type: 'array', items: 'string' }, 'confluent:tags': ['PII'] },
    { name: 'score', type: 'int' },
    { name: 'vip', type: 'boolean' },
  ],
};

const customer1 = {
  id: 1001,
  name: 'Alice Wonderland',
  nickname: 'alice-nick',
  avatar: Buffer.from('avatar-bytes-0001\u0000\u00ff', 'latin1'),
  status: 'ACTIVE',
  address: { street: '12 Rabbit Hole Lane', city: 'Oxford', geo: { label: 'home-sweet-home', lat: 51.75 } },
  contacts: [
    { kind: 'email', value: 'alice@example.com', note: 'primary-inbox' },
    { kind: 'phone', value: '+44-1865-000000', note: null },
  ],
  attributes: { eyeColour: 'blue-green', shoeSize: 'size-38' },
  labels: { tier: 'gold' },
  aliases: ['Ali-W', 'Wonder-A'],
  score: 42,
  vip: true,
};

const customer2 = {
  id: 1002,
  // Multi-byte UTF-8 must survive the string -> bytes -> base64 round trip.
  name: 'Zoë Ærøskøbing 😀',
  nickname: null,
  avatar: Buffer.alloc(0),
  status: 'SUSPENDED',
  // An empty string is still encrypted (GCM of zero bytes = IV + tag only).
  address: { street: '', city: 'Aarhus', geo: { label: 'work-place-label', lat: -12.5 } },
  contacts: [],
  attributes: {},
  labels: {},
  aliases: [],
  score: -7,
  vip: false,
};

const customerPaths1 = [
  'name', 'nickname', 'avatar', 'address.street', 'address.geo.label',
  'contacts[0].value', 'contacts[0].note', 'contacts[1].value',
  'attributes{eyeColour}', 'attributes{shoeSize}', 'aliases[0]', 'aliases[1]',
];
const customerPaths2 = ['name', 'avatar', 'address.street', 'address.geo.label'];

// Avro: no inline tags; tags come from metadata.tags wildcards.
const patientSchema = {
  type: 'record', name: 'Patient', namespace: NS,
  fields: [
    { name: 'ssn', type: 'string' },
    { name: 'email', type: 'string' },
    { name: 'ward', type: 'string' },
    {
      name: 'kin',
      type: {
        type: 'record', name: 'Kin',
        fields: [
          { name: 'ssn', type: ['null', 'string'], default: null },
          { name: 'email', type: 'string' },
          { name: 'relation', type: 'string' },
        ],
      },
    },
    {
      name: 'visits',
      type: {
        type: 'array',
        items: {
          type: 'record', name: 'Visit', namespace: `${NS}.clinic`,
          fields: [
            { name: 'day', type: 'int' },
            { name: 'ssn', type: 'string' },
            // `*` stays inside one name segment, so `com.acme.interop.*.email`
            // must NOT match com.acme.interop.clinic.Visit.email.
            { name: 'email', type: 'string' },
          ],
        },
      },
    },
  ],
};

// Avro: small schema for SIV / rotation / payload cases.
const accountSchema = {
  type: 'record', name: 'Account', namespace: NS,
  fields: [
    { name: 'accountId', type: 'string' },
    { name: 'email', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'secretBlob', type: 'bytes', 'confluent:tags': ['PII'] },
    { name: 'balanceCents', type: 'long' },
  ],
};

// Avro: two tag classes encrypted with two different KEKs.
const employeeSchema = {
  type: 'record', name: 'Employee', namespace: NS,
  fields: [
    { name: 'employeeId', type: 'string' },
    { name: 'fullName', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'salary', type: 'string', 'confluent:tags': ['SECRET'] },
    {
      name: 'badge',
      type: {
        type: 'record', name: 'Badge',
        fields: [
          { name: 'pin', type: 'bytes', 'confluent:tags': ['SECRET'] },
          { name: 'photoName', type: 'string', 'confluent:tags': ['PII'] },
        ],
      },
    },
    // Tagged with both: rule 1 (PII) encrypts it, then rule 2 (SECRET)
    // encrypts that ciphertext string again. Reading must undo the rules in
    // reverse order.
    { name: 'homeAddress', type: 'string', 'confluent:tags': ['PII', 'SECRET'] },
  ],
};

// Avro: key schema.
const accountKeySchema = {
  type: 'record', name: 'AccountKey', namespace: NS,
  fields: [
    { name: 'tenant', type: 'string' },
    { name: 'customerRef', type: 'string', 'confluent:tags': ['PII'] },
  ],
};

// Avro: schema reference. The referenced type carries the tags.
const refAddressSchema = {
  type: 'record', name: 'PostalAddress', namespace: `${NS}.ref`,
  fields: [
    { name: 'line1', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'postcode', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'country', type: 'string' },
  ],
};
const shipmentSchema = {
  type: 'record', name: 'Shipment', namespace: NS,
  fields: [
    { name: 'shipmentId', type: 'string' },
    { name: 'to', type: `${NS}.ref.PostalAddress` },
    { name: 'from', type: ['null', `${NS}.ref.PostalAddress`], default: null },
  ],
};

// JSON Schema: inline confluent:tags on nested object, array items, $ref'd definition.
const orderJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Order',
  type: 'object',
  definitions: {
    Address: {
      type: 'object',
      properties: {
        street: { type: 'string', 'confluent:tags': ['PII'] },
        city: { type: 'string' },
      },
    },
  },
  properties: {
    orderId: { type: 'integer' },
    customer: {
      type: 'object',
      properties: {
        name: { type: 'string', 'confluent:tags': ['PII'] },
        email: { type: 'string', 'confluent:tags': ['PII'] },
        address: { $ref: '#/definitions/Address' },
      },
    },
    items: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          sku: { type: 'string' },
          qty: { type: 'integer' },
          giftMessage: { type: 'string', 'confluent:tags': ['PII'] },
        },
      },
    },
    notes: { type: ['null', 'string'], 'confluent:tags': ['PII'] },
    aliases: { type: 'array', items: { type: 'string' }, 'confluent:tags': ['PII'] },
    total: { type: 'number' },
    paid: { type: 'boolean' },
  },
};

// JSON Schema: tags only from metadata.tags. JSON field paths are
// `$.<prop>.<prop>`; array items do not add a path segment.
const memberJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Member',
  type: 'object',
  properties: {
    memberId: { type: 'string' },
    ssn: { type: 'string' },
    profile: {
      type: 'object',
      properties: {
        ssn: { type: 'string' },
        displayName: { type: 'string' },
      },
    },
    contacts: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          email: { type: 'string' },
          label: { type: 'string' },
        },
      },
    },
  },
};

// JSON Schema for payload encryption.
const eventJsonSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'AuditEvent',
  type: 'object',
  properties: {
    eventId: { type: 'string' },
    actor: { type: 'string' },
    detail: { type: 'object', properties: { action: { type: 'string' }, target: { type: 'string' } } },
    tags: { type: 'array', items: { type: 'string' } },
  },
};

const account = (n, email, blob) => ({
  accountId: `acct-${n}`,
  email,
  secretBlob: Buffer.from(blob, 'utf8'),
  balanceCents: 100000 + n,
});
const accountPaths = ['email', 'secretBlob'];

// Protobuf: the .proto files under proto/, compiled by protoc. Record values
// are @bufbuild/protobuf init objects (lowerCamelCase local names, bigint for
// 64-bit integers, enum numbers, oneofs as { case, value }); `paths` use proto
// field names. Confluent's JavaScript client 1.10.1 encrypts tagged fields only
// at the top level of the record's message, and not repeated or map fields at
// all (README: "Protobuf: what the JavaScript client does not handle"), so
// the tagged fields below are all singular top-level string/bytes fields or
// oneof members; nested messages, lists and maps are there untagged, for the
// decoding and the JSON rendering.
const PROTOS = compileProtos([
  'kw/interop/customer.proto', 'kw/interop/clinic.proto', 'kw/interop/account.proto', 'kw/interop/events.proto',
]);
const PROTO_STATUS_ACTIVE = 1;
const PROTO_STATUS_SUSPENDED = 2;
const PROTO_CHANNEL_EMAIL = 1;
const PROTO_CHANNEL_SMS = 2;

const protoCustomer1 = {
  id: 1001n,
  fullName: 'Alice Wonderland',
  avatar: Buffer.from('avatar-bytes-0001\u0000\u00ff', 'latin1'),
  nickname: 'alice-nick',
  status: PROTO_STATUS_ACTIVE,
  address: { line1: '12 Rabbit Hole Lane', postcode: 'OX1 1AA', countryCode: 'GB' },
  contacts: [
    { kind: 'email', value: 'alice-contact@example.com', channel: PROTO_CHANNEL_EMAIL },
    { kind: 'phone', value: '+44-1865-000000', channel: PROTO_CHANNEL_SMS },
  ],
  labels: { tier: 'gold', region: 'eu-west' },
  contactsByKind: { work: { kind: 'work', value: 'alice@work.example', channel: PROTO_CHANNEL_EMAIL } },
  reach: { case: 'email', value: 'alice@example.com' },
  aliases: ['Ali-W', 'Wonder-A'],
  loyaltyPoints: 18446744073709551615n, // max uint64: a JSON string, beyond double precision
  score: 42.5,
  vip: true,
};
const protoCustomer2 = {
  id: -1002n,
  // Multi-byte UTF-8 must survive the string -> bytes -> base64 round trip.
  fullName: 'Zoë Ærøskøbing 😀',
  // avatar and nickname stay at their proto3 defaults (empty), which the JS
  // serializer still encrypts: the wire carries ciphertexts of empty values.
  status: PROTO_STATUS_SUSPENDED,
  reach: { case: 'phone', value: '+45-8600-1234' },
};
const protoCustomer3 = {
  id: 1003n,
  fullName: 'Carol Third',
  avatar: Buffer.from('carol-avatar'),
  nickname: 'caro-nick',
  // The oneof's untagged member is set: neither email nor phone is on the wire.
  reach: { case: 'deskExtension', value: 4711 },
  contacts: [{ kind: 'desk', value: 'desk-4711' }],
};
const protoCustomerPaths = (reach) => ['full_name', 'avatar', 'nickname', ...(reach ? [reach] : [])];

const protoAccount = (n, email, blob) => ({
  accountId: `acct-${n}`,
  email,
  secretBlob: Buffer.from(blob, 'utf8'),
  balanceCents: BigInt(100000 + n),
});
const protoAccountPaths = ['email', 'secret_blob'];

const CASES = [
  {
    name: 'avro-gcm256-nested',
    covers: 'AES256_GCM field encryption; nested records, array of records, tagged map and array of strings, ["null","string"] unions (set and null), bytes, enum, empty and multi-byte strings; tags via confluent:tags at depth; rule params in the rule; onFailure ERROR,NONE',
    format: 'AVRO',
    topic: 'kw-avro-gcm256-nested',
    schema: customerSchema,
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_GCM',
      }, 'ERROR,NONE')],
    },
    records: [
      { value: customer1, paths: customerPaths1 },
      { value: customer2, paths: customerPaths2 },
    ],
  },
  {
    name: 'avro-gcm128-metadata-tags',
    covers: 'AES128_GCM; tags only via metadata.tags wildcards (**.ssn, com.acme.interop.*.email); all rule params from metadata.properties (rule has none); union inside a nested record',
    format: 'AVRO',
    topic: 'kw-avro-gcm128-metadata-tags',
    schema: patientSchema,
    metadata: {
      tags: { '**.ssn': ['PII'], [`${NS}.*.email`]: ['PII'] },
      properties: {
        'encrypt.kek.name': 'kw-kek-b', ...KMS, 'encrypt.kms.key.id': 'kw-key-b',
        'encrypt.dek.algorithm': 'AES128_GCM',
      },
    },
    ruleSet: { domainRules: [encryptRule('encryptPII', ['PII'])] },
    records: [
      {
        value: {
          ssn: '123-45-6789', email: 'patient@example.org', ward: 'ward-7',
          kin: { ssn: '987-65-4321', email: 'kin@example.org', relation: 'sibling' },
          visits: [
            { day: 1, ssn: '555-11-2222', email: 'visit-not-tagged@example.org' },
            { day: 9, ssn: '555-33-4444', email: 'visit2-not-tagged@example.org' },
          ],
        },
        paths: ['ssn', 'email', 'kin.ssn', 'kin.email', 'visits[0].ssn', 'visits[1].ssn'],
      },
      {
        value: {
          ssn: '000-00-0001', email: 'second@example.org', ward: 'ward-1',
          kin: { ssn: null, email: 'kin2@example.org', relation: 'parent' },
          visits: [],
        },
        paths: ['ssn', 'email', 'kin.email'],
      },
    ],
  },
  {
    name: 'avro-siv',
    covers: 'AES256_SIV (deterministic): same plaintext gives the same ciphertext; string and bytes fields; KEK name in rule params, algorithm from metadata.properties',
    format: 'AVRO',
    topic: 'kw-avro-siv',
    schema: accountSchema,
    metadata: { properties: { 'encrypt.dek.algorithm': 'AES256_SIV' } },
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
      })],
    },
    deterministic: true,
    records: [
      { value: account(1, 'same@example.com', 'blob-one-siv'), paths: accountPaths },
      { value: account(2, 'same@example.com', 'blob-one-siv'), paths: accountPaths },
      { value: account(3, 'other@example.com', 'blob-three-siv'), paths: accountPaths },
    ],
  },
  {
    name: 'avro-gcm256-rotation',
    covers: 'AES256_GCM with encrypt.dek.expiry.days=1: the clock moves >1 day between records, giving DEK versions 1, 2, 3; ciphertexts carry the 0x00+int32 version prefix',
    format: 'AVRO',
    topic: 'kw-avro-gcm256-rotation',
    schema: accountSchema,
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_GCM', 'encrypt.dek.expiry.days': '1',
      })],
    },
    records: [
      { value: account(10, 'rot-v1@example.com', 'rotation-blob-1'), paths: accountPaths, dekVersion: 1 },
      { advanceMs: ROTATE_STEP_MS, value: account(11, 'rot-v2@example.com', 'rotation-blob-2'), paths: accountPaths, dekVersion: 2 },
      // Less than a day later: DEK v2 is still valid.
      { advanceMs: 60 * 60 * 1000, value: account(12, 'rot-v2b@example.com', 'rotation-blob-2b'), paths: accountPaths, dekVersion: 2 },
      { advanceMs: ROTATE_STEP_MS, value: account(13, 'rot-v3@example.com', 'rotation-blob-3'), paths: accountPaths, dekVersion: 3 },
    ],
  },
  {
    name: 'avro-siv-rotation',
    covers: 'AES256_SIV with encrypt.dek.expiry.days=1 (params in metadata.properties only): DEK versions 1 and 2',
    format: 'AVRO',
    topic: 'kw-avro-siv-rotation',
    schema: accountSchema,
    metadata: {
      properties: {
        'encrypt.kek.name': 'kw-kek-b', ...KMS, 'encrypt.kms.key.id': 'kw-key-b',
        'encrypt.dek.algorithm': 'AES256_SIV', 'encrypt.dek.expiry.days': '1',
      },
    },
    ruleSet: { domainRules: [encryptRule('encryptPII', ['PII'])] },
    records: [
      { value: account(20, 'siv-rot-1@example.com', 'siv-rotation-1'), paths: accountPaths, dekVersion: 1 },
      { advanceMs: ROTATE_STEP_MS, value: account(21, 'siv-rot-2@example.com', 'siv-rotation-2'), paths: accountPaths, dekVersion: 2 },
    ],
  },
  {
    name: 'avro-two-keks',
    covers: 'two ENCRYPT rules with different KEKs and algorithms (PII -> kw-kek-a AES256_GCM, SECRET -> kw-kek-c AES128_GCM); a field tagged with both is encrypted twice',
    format: 'AVRO',
    topic: 'kw-avro-two-keks',
    schema: employeeSchema,
    ruleSet: {
      domainRules: [
        encryptRule('encryptPII', ['PII'], {
          'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        }),
        encryptRule('encryptSecret', ['SECRET'], {
          'encrypt.kek.name': 'kw-kek-c', ...KMS, 'encrypt.kms.key.id': 'kw-key-c',
          'encrypt.dek.algorithm': 'AES128_GCM',
        }),
      ],
    },
    records: [
      {
        value: {
          employeeId: 'emp-77', fullName: 'Bob Builder', salary: '123456.78',
          badge: { pin: Buffer.from('pin-0042'), photoName: 'bob-photo.png' },
          homeAddress: '1 Construction Way',
        },
        paths: ['fullName', 'salary', 'badge.pin', 'badge.photoName', 'homeAddress'],
      },
    ],
  },
  {
    name: 'avro-payload-gcm256',
    covers: 'ENCRYPT_PAYLOAD (encodingRules) with AES256_GCM, no rotation; whole Avro body encrypted',
    format: 'AVRO',
    topic: 'kw-avro-payload-gcm256',
    schema: customerSchema,
    ruleSet: {
      encodingRules: [payloadRule('encryptPayload', {
        'encrypt.kek.name': 'kw-kek-p', ...KMS, 'encrypt.kms.key.id': 'kw-key-p',
        'encrypt.dek.algorithm': 'AES256_GCM',
      })],
    },
    records: [
      { value: customer1, paths: [PAYLOAD_PATH] },
      { value: customer2, paths: [PAYLOAD_PATH] },
    ],
  },
  {
    name: 'avro-payload-gcm128-rotation',
    covers: 'ENCRYPT_PAYLOAD with AES128_GCM and encrypt.dek.expiry.days=1: payload DEK versions 1 and 2',
    format: 'AVRO',
    topic: 'kw-avro-payload-gcm128-rotation',
    schema: accountSchema,
    ruleSet: {
      encodingRules: [payloadRule('encryptPayload', {
        'encrypt.kek.name': 'kw-kek-p', ...KMS, 'encrypt.kms.key.id': 'kw-key-p',
        'encrypt.dek.algorithm': 'AES128_GCM', 'encrypt.dek.expiry.days': '1',
      })],
    },
    records: [
      { value: account(30, 'payload-rot-1@example.com', 'payload-rot-1'), paths: [PAYLOAD_PATH], dekVersion: 1 },
      { advanceMs: ROTATE_STEP_MS, value: account(31, 'payload-rot-2@example.com', 'payload-rot-2'), paths: [PAYLOAD_PATH], dekVersion: 2 },
    ],
  },
  {
    name: 'avro-field-and-payload',
    covers: 'ENCRYPT (AES256_SIV, kw-kek-a) and ENCRYPT_PAYLOAD (AES256_GCM, kw-kek-p) on the same schema and subject: fields are encrypted first, then the body',
    format: 'AVRO',
    topic: 'kw-avro-field-and-payload',
    schema: accountSchema,
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_SIV',
      })],
      encodingRules: [payloadRule('encryptPayload', {
        'encrypt.kek.name': 'kw-kek-p', ...KMS, 'encrypt.kms.key.id': 'kw-key-p',
      })],
    },
    records: [
      { value: account(40, 'both-layers@example.com', 'both-layers-blob'), paths: [PAYLOAD_PATH, ...accountPaths] },
    ],
  },
  {
    name: 'avro-key-gcm256',
    covers: 'record key (isKey=true, DEK subject <topic>-key), AES256_GCM',
    format: 'AVRO',
    topic: 'kw-avro-key',
    isKey: true,
    schema: accountKeySchema,
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
      })],
    },
    records: [{ value: { tenant: 'tenant-eu', customerRef: 'cust-ref-0099' }, paths: ['customerRef'] }],
  },
  {
    name: 'avro-header-guid',
    covers: 'schema GUID in the __value_schema_id header (payload has no 0x00+id prefix), AES256_GCM',
    format: 'AVRO',
    topic: 'kw-avro-header-guid',
    headerId: true,
    schema: accountSchema,
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-b', ...KMS, 'encrypt.kms.key.id': 'kw-key-b',
      })],
    },
    records: [{ value: account(50, 'header-guid@example.com', 'header-guid-blob'), paths: accountPaths }],
  },
  {
    name: 'avro-references',
    covers: 'schema references: tags live in a referenced schema (separate subject, no rules); referenced record used directly and inside a union',
    format: 'AVRO',
    topic: 'kw-avro-references',
    schema: shipmentSchema,
    references: [{ name: `${NS}.ref.PostalAddress`, subject: 'kw-ref-postal-address', version: 1, schema: refAddressSchema }],
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
      })],
    },
    records: [
      {
        value: {
          shipmentId: 'ship-1',
          to: { line1: '221B Baker Street', postcode: 'NW1 6XE', country: 'GB' },
          from: { line1: '10 Downing Street', postcode: 'SW1A 2AA', country: 'GB' },
        },
        paths: ['to.line1', 'to.postcode', 'from.line1', 'from.postcode'],
      },
      {
        value: { shipmentId: 'ship-2', to: { line1: 'Rue de Rivoli 1', postcode: '75001', country: 'FR' }, from: null },
        paths: ['to.line1', 'to.postcode'],
      },
    ],
  },
  {
    name: 'json-gcm256-tags',
    covers: 'JSON Schema, AES256_GCM; confluent:tags on nested object properties, on a $ref definition, on array-item object properties, on a ["null","string"] property and on an array of strings',
    format: 'JSON',
    topic: 'kw-json-gcm256-tags',
    schema: orderJsonSchema,
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_GCM',
      })],
    },
    records: [
      {
        value: {
          orderId: 5001,
          customer: {
            name: 'Carol Customer', email: 'carol@example.net',
            address: { street: '5 Market Square', city: 'Bergen' },
          },
          items: [
            { sku: 'SKU-1', qty: 2, giftMessage: 'Happy birthday Carol!' },
            { sku: 'SKU-2', qty: 1 },
          ],
          notes: 'leave-at-door-please',
          aliases: ['caro-1', 'cc-2'],
          total: 19.99,
          paid: true,
        },
        paths: [
          'customer.name', 'customer.email', 'customer.address.street',
          'items[0].giftMessage', 'notes', 'aliases[0]', 'aliases[1]',
        ],
      },
      {
        value: {
          orderId: 5002,
          customer: { name: 'Dan Ünïcødé', email: 'dan@example.net' },
          items: [],
          notes: null,
          aliases: [],
          total: 0,
          paid: false,
        },
        paths: ['customer.name', 'customer.email'],
      },
    ],
  },
  {
    name: 'json-siv-metadata-tags',
    covers: 'JSON Schema, AES256_SIV; tags only via metadata.tags (**.ssn and $.contacts.email, JSON paths start with "$"); all params from metadata.properties',
    format: 'JSON',
    topic: 'kw-json-siv-metadata-tags',
    schema: memberJsonSchema,
    metadata: {
      tags: { '**.ssn': ['PII'], '$.contacts.email': ['PII'] },
      properties: {
        'encrypt.kek.name': 'kw-kek-b', ...KMS, 'encrypt.kms.key.id': 'kw-key-b',
        'encrypt.dek.algorithm': 'AES256_SIV',
      },
    },
    ruleSet: { domainRules: [encryptRule('encryptPII', ['PII'])] },
    deterministic: true,
    records: [
      {
        value: {
          memberId: 'm-1', ssn: '111-22-3333',
          profile: { ssn: '111-22-3333', displayName: 'Member One' },
          contacts: [{ email: 'm1-home@example.com', label: 'home' }, { email: 'm1-work@example.com', label: 'work' }],
        },
        paths: ['ssn', 'profile.ssn', 'contacts[0].email', 'contacts[1].email'],
      },
    ],
  },
  {
    name: 'json-payload-gcm256-rotation',
    covers: 'JSON Schema with ENCRYPT_PAYLOAD, AES256_GCM, encrypt.dek.expiry.days=1: payload DEK versions 1 and 2',
    format: 'JSON',
    topic: 'kw-json-payload-rotation',
    schema: eventJsonSchema,
    ruleSet: {
      encodingRules: [payloadRule('encryptPayload', {
        'encrypt.kek.name': 'kw-kek-p', ...KMS, 'encrypt.kms.key.id': 'kw-key-p',
        'encrypt.dek.expiry.days': '1',
      })],
    },
    records: [
      {
        value: { eventId: 'evt-1', actor: 'admin-actor-1', detail: { action: 'login', target: 'console-1' }, tags: ['audit-a'] },
        paths: [PAYLOAD_PATH], dekVersion: 1,
      },
      {
        advanceMs: ROTATE_STEP_MS,
        value: { eventId: 'evt-2', actor: 'admin-actor-2', detail: { action: 'rotate', target: 'kek-p' }, tags: [] },
        paths: [PAYLOAD_PATH], dekVersion: 2,
      },
    ],
  },
  {
    name: 'proto-gcm256-references',
    covers: 'Protobuf, AES256_GCM; tags via (confluent.field_meta) options (one and two tags, both option syntaxes) on top-level string, bytes and oneof members; set, empty (proto3 default, still encrypted) and unset-oneof cases; a schema reference (kw/interop/common.proto, its own subject) for a message field and an enum; nested message type, repeated message, map<string,string>, map<string,message>, repeated string, int64/uint64 (JSON strings), double, bool, enum',
    format: 'PROTOBUF',
    topic: 'kw-proto-gcm256-references',
    proto: 'kw/interop/customer.proto',
    messageType: 'kw.interop.Customer',
    messageIndexes: [0],
    references: [{ name: 'kw/interop/common.proto', subject: 'kw-proto-common', version: 1, proto: 'kw/interop/common.proto' }],
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_GCM',
      })],
    },
    records: [
      { value: protoCustomer1, paths: protoCustomerPaths('email') },
      { value: protoCustomer2, paths: protoCustomerPaths('phone') },
      { value: protoCustomer3, paths: protoCustomerPaths() },
    ],
  },
  {
    name: 'proto-gcm128-metadata-tags',
    covers: 'Protobuf, AES128_GCM; tags only via metadata.tags wildcards on <package>.<Message>.<field> (an exact name, **.email_address, kw.interop.clinic.*.scan; kw.interop.*.ward must not match); params in metadata.properties; the record type is the second message of its file (message indexes [1]); empty tagged values are encrypted too',
    format: 'PROTOBUF',
    topic: 'kw-proto-gcm128-metadata-tags',
    proto: 'kw/interop/clinic.proto',
    messageType: 'kw.interop.clinic.Patient',
    messageIndexes: [1],
    metadata: {
      tags: {
        'kw.interop.clinic.Patient.ssn': ['PII'],
        '**.email_address': ['PII'],
        'kw.interop.clinic.*.scan': ['PII'],
        // `*` stays inside one name segment: no match for kw.interop.clinic.Patient.ward.
        'kw.interop.*.ward': ['PII'],
      },
      properties: {
        'encrypt.kek.name': 'kw-kek-b', ...KMS, 'encrypt.kms.key.id': 'kw-key-b',
        'encrypt.dek.algorithm': 'AES128_GCM',
      },
    },
    ruleSet: { domainRules: [encryptRule('encryptPII', ['PII'])] },
    records: [
      {
        value: {
          ssn: '123-45-6789', emailAddress: 'patient@example.org', ward: 'ward-7',
          scan: Buffer.from('scan-bytes-\u0001\u0002', 'latin1'),
          lastVisit: { day: 3, ward: 'ward-3', attendingEmail: 'doctor@example.org' },
          visits: [{ day: 1, ward: 'ward-1' }, { day: 2, attendingEmail: 'nurse@example.org' }],
          notes: { allergy: 'penicillin-allergy' },
        },
        paths: ['ssn', 'email_address', 'scan'],
      },
      { value: { ssn: '000-00-0001', ward: 'ward-1' }, paths: ['ssn', 'email_address', 'scan'] },
    ],
  },
  {
    name: 'proto-siv',
    covers: 'Protobuf, AES256_SIV: equal plaintexts give equal ciphertexts (string and bytes)',
    format: 'PROTOBUF',
    topic: 'kw-proto-siv',
    proto: 'kw/interop/account.proto',
    messageType: 'kw.interop.accounts.Account',
    messageIndexes: [0],
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_SIV',
      })],
    },
    deterministic: true,
    records: [
      { value: protoAccount(1, 'same@example.com', 'blob-one-siv'), paths: protoAccountPaths },
      { value: protoAccount(2, 'same@example.com', 'blob-one-siv'), paths: protoAccountPaths },
      { value: protoAccount(3, 'other@example.com', 'blob-three-siv'), paths: protoAccountPaths },
    ],
  },
  {
    name: 'proto-gcm256-rotation',
    covers: 'Protobuf, AES256_GCM with encrypt.dek.expiry.days=1: DEK versions 1, 2, 2; ciphertexts carry the 0x00+int32 version prefix',
    format: 'PROTOBUF',
    topic: 'kw-proto-gcm256-rotation',
    proto: 'kw/interop/account.proto',
    messageType: 'kw.interop.accounts.Account',
    messageIndexes: [0],
    ruleSet: {
      domainRules: [encryptRule('encryptPII', ['PII'], {
        'encrypt.kek.name': 'kw-kek-a', ...KMS, 'encrypt.kms.key.id': 'kw-key-a',
        'encrypt.dek.algorithm': 'AES256_GCM', 'encrypt.dek.expiry.days': '1',
      })],
    },
    records: [
      { value: protoAccount(10, 'rot-v1@example.com', 'rotation-blob-1'), paths: protoAccountPaths, dekVersion: 1 },
      { advanceMs: ROTATE_STEP_MS, value: protoAccount(11, 'rot-v2@example.com', 'rotation-blob-2'), paths: protoAccountPaths, dekVersion: 2 },
      { advanceMs: 60 * 60 * 1000, value: protoAccount(12, 'rot-v2b@example.com', 'rotation-blob-2b'), paths: protoAccountPaths, dekVersion: 2 },
    ],
  },
  {
    name: 'proto-payload-nested-type',
    covers: 'Protobuf with ENCRYPT_PAYLOAD (AES256_GCM); the record type is a nested message (kw.interop.events.Envelope.AuditEvent, message indexes [0, 1]); the message indexes stay in the clear before the encrypted body',
    format: 'PROTOBUF',
    topic: 'kw-proto-payload-nested-type',
    proto: 'kw/interop/events.proto',
    messageType: 'kw.interop.events.Envelope.AuditEvent',
    messageIndexes: [0, 1],
    ruleSet: {
      encodingRules: [payloadRule('encryptPayload', {
        'encrypt.kek.name': 'kw-kek-p', ...KMS, 'encrypt.kms.key.id': 'kw-key-p',
        'encrypt.dek.algorithm': 'AES256_GCM',
      })],
    },
    records: [
      {
        value: {
          eventId: 'evt-proto-1', actor: 'admin-actor-proto', detail: { action: 'login', target: 'console-proto' },
          labels: ['audit-a', 'audit-b'], attrs: { source: 'sso-gateway' },
          signature: Buffer.from('sig-bytes-proto-1'), sequence: -9007199254740993n,
        },
        paths: [PAYLOAD_PATH],
      },
      { value: { eventId: 'evt-proto-2' }, paths: [PAYLOAD_PATH] },
    ],
  },
];

// ---------------------------------------------------------------------------
// Producing
// ---------------------------------------------------------------------------

const srConfig = { baseURLs: ['mock://'], cacheCapacity: 1000 };
const sr = SchemaRegistryClient.newClient(srConfig);

// The real executors, used to write records.
const enc = newEncryptionRegistry(clock);

// A second registry with the same executor instances (so the same DEK
// registry), but field-level ENCRYPT disabled by an override. Deserializing
// with it decrypts only ENCRYPT_PAYLOAD and yields the fields as stored on the
// wire, which is what the checks below compare against the plaintext.
const rawRegistry = new RuleRegistry();
rawRegistry.registerExecutor(enc.fieldExecutor);
rawRegistry.registerExecutor(enc.payloadExecutor);
rawRegistry.registerOverride({ type: 'ENCRYPT', disabled: true });

function subjectOf(c) {
  return `${c.topic}-${c.isKey ? 'key' : 'value'}`;
}

function serdeConfig(c) {
  return {
    // Use the schema registered below (with its rules) instead of deriving a
    // schema from the message and auto-registering it.
    autoRegisterSchemas: false,
    useLatestVersion: true,
    ruleConfig: { secret: LOCAL_SECRET },
    // The default (ASSOCIATED) falls back to the topic strategy anyway on the
    // mock; be explicit so the DEK subject is predictably <topic>-value/-key.
    subjectNameStrategyType: SubjectNameStrategyType.TOPIC,
    ...(c.headerId ? { schemaIdSerializer: HeaderSchemaIdSerializer } : {}),
  };
}

const SERIALIZERS = { AVRO: AvroSerializer, JSON: JsonSerializer, PROTOBUF: ProtobufSerializer };
const DESERIALIZERS = { AVRO: AvroDeserializer, JSON: JsonDeserializer, PROTOBUF: ProtobufDeserializer };

function newSerializer(c) {
  const Ser = SERIALIZERS[c.format];
  // The Protobuf serializer finds the message's type in conf.registry by its $typeName.
  const conf = { ...serdeConfig(c), ...(c.format === 'PROTOBUF' ? { registry: PROTOS.registry } : {}) };
  return new Ser(sr, c.isKey ? SerdeType.KEY : SerdeType.VALUE, conf, enc.registry);
}

function newRawDeserializer(c) {
  const Deser = DESERIALIZERS[c.format];
  return new Deser(sr, c.isKey ? SerdeType.KEY : SerdeType.VALUE, {
    ruleConfig: { secret: LOCAL_SECRET },
    subjectNameStrategyType: SubjectNameStrategyType.TOPIC,
  }, rawRegistry);
}

/**
 * Give every case's schema a distinct text. Several cases share a record
 * definition, and the mock registry looks GUIDs up by schema *text* alone
 * (getSchemaMetadata returns the first GUID whose text matches, whatever the
 * subject, metadata or rules), so identical texts would make the header-GUID
 * case and the dumped `guid`s point at another case's schema and rules.
 */
function caseSchemaText(c) {
  const doc = `Keywarden interop case ${c.name}`;
  if (c.format === 'PROTOBUF') return schemaText(PROTOS, c.proto, doc);
  return JSON.stringify(c.format === 'AVRO' ? { ...c.schema, doc } : { ...c.schema, description: doc });
}

/** The message type of a Protobuf case. */
function protoDesc(c) {
  const desc = PROTOS.registry.getMessage(c.messageType);
  if (desc == null) throw new Error(`${c.name}: no message type ${c.messageType}`);
  return desc;
}

async function registerCaseSchemas(c) {
  for (const ref of c.references ?? []) {
    const info = { schemaType: c.format, schema: ref.proto ? schemaText(PROTOS, ref.proto) : JSON.stringify(ref.schema) };
    await sr.register(ref.subject, info);
    const version = await sr.getVersion(ref.subject, info);
    assert.equal(version, ref.version, `reference ${ref.subject} registered as version ${version}`);
  }
  const info = {
    schemaType: c.format,
    schema: caseSchemaText(c),
    ...(c.references ? { references: c.references.map(({ name, subject, version }) => ({ name, subject, version })) } : {}),
    ...(c.metadata ? { metadata: c.metadata } : {}),
    ruleSet: c.ruleSet,
  };
  await sr.register(subjectOf(c), info);
}

/** `contacts[0].value` -> `contacts.0.value`: one segment per level of the value. */
function concretePath(path) {
  return path.replace(/\[(\d+)\]|\{([^}]*)\}/g, (_, index, key) => `.${index ?? key}`);
}

/**
 * `contacts[0].value` -> `contacts.value`: the schema field path, as Keywarden
 * reports it (array elements and map values add no segment).
 */
function fieldPath(path) {
  return path.replace(/\[\d+\]|\{[^}]*\}/g, '');
}

/** Value at a `paths` entry (see path syntax above). */
function valueAt(root, path) {
  let v = root;
  for (const seg of concretePath(path).split('.')) v = v?.[seg];
  return v;
}

/** Every string/bytes leaf of a rendered-or-raw value, as [path, value]. */
function* leaves(value, path = '') {
  if (value === null || value === undefined) return;
  if (Buffer.isBuffer(value) || typeof value !== 'object') {
    yield [path, value];
    return;
  }
  for (const [k, v] of Object.entries(value)) yield* leaves(v, joinPath(path, k));
}

/** Bytes a plaintext leaf occupies before encryption. */
function plaintextBytes(v) {
  return Buffer.isBuffer(v) ? v : typeof v === 'string' ? Buffer.from(v, 'utf8') : null;
}

/** The ciphertext bytes stored in a field (strings hold base64 of them). */
function ciphertextBytes(v) {
  return Buffer.isBuffer(v) ? v : Buffer.from(v, 'base64');
}

function dekVersionOf(ciphertext) {
  assert.equal(ciphertext[0], 0, 'rotated ciphertext must start with magic byte 0');
  return ciphertext.readInt32BE(1);
}

/** The value to serialize: a fresh copy (serialize() rewrites it in place), a message for Protobuf. */
function messageOf(c, value) {
  return c.format === 'PROTOBUF' ? create(protoDesc(c), cloneValue(value)) : cloneValue(value);
}

/**
 * The record as the checks see it. `original` and `stored` (decoded with field
 * decryption disabled) are plain JSON trees of the same shape; the plaintext
 * and ciphertext accessors give the bytes of a leaf (see path syntax above).
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
      plaintextAt: (p) => plaintexts.get(p),
      allPlaintexts: () => [...plaintexts.values()],
      // The JSON mapping shows string ciphertexts (base64 text) and bytes alike.
      ciphertextAt: (p) => Buffer.from(valueAt(stored, p), 'base64'),
    };
  }
  return {
    original: toJsonValue(rec.value),
    stored: toJsonValue(raw),
    plaintextAt: (p) => plaintextBytes(valueAt(rec.value, p)),
    allPlaintexts: () => [...leaves(rec.value)].map(([, v]) => plaintextBytes(v)),
    ciphertextAt: (p) => ciphertextBytes(valueAt(raw, p)),
  };
}

/**
 * Check that a record really is encrypted where (and only where) the case
 * says, and that no tagged plaintext leaks into the bytes.
 */
async function checkRecord(c, rec, bytes, headers, sivSeen) {
  const fieldPaths = rec.paths.filter((p) => p !== PAYLOAD_PATH);
  const payloadEncrypted = rec.paths.includes(PAYLOAD_PATH);

  // Body = everything after the 0x00 + int32 schema-id prefix and, for
  // Protobuf, the message indexes (which stay in the clear).
  let body = c.headerId ? bytes : bytes.subarray(5);
  if (c.format === 'PROTOBUF') {
    assert.ok(!c.headerId, `${c.name}: the Protobuf checks expect id framing`);
    const { indexes, length } = readMessageIndexes(body);
    assert.deepEqual(indexes, c.messageIndexes, `${c.name}: message indexes in the framing`);
    assert.deepEqual(messageIndexesOf(protoDesc(c)), c.messageIndexes, `${c.name}: message indexes of ${c.messageType}`);
    body = body.subarray(length);
  }

  // Decode with field decryption disabled: the fields as stored.
  const raw = await newRawDeserializer(c).deserialize(c.topic, bytes, headers);
  const views = recordViews(c, rec, raw);

  // 1. No plaintext of an encrypted leaf appears in the serialized bytes. For
  //    payload encryption that means no string/bytes leaf at all. Very short
  //    values (< 4 bytes) could match random ciphertext by chance and are
  //    skipped; the cases avoid them.
  const mustNotLeak = payloadEncrypted ? views.allPlaintexts() : fieldPaths.map(views.plaintextAt);
  for (const pt of mustNotLeak) {
    if (pt != null && pt.length >= 4) {
      assert.ok(!bytes.includes(pt), `${c.name}: plaintext ${JSON.stringify(pt.toString('utf8'))} visible in record bytes`);
    }
  }

  if (payloadEncrypted && rec.dekVersion != null) {
    assert.equal(dekVersionOf(body), rec.dekVersion, `${c.name}: payload DEK version`);
  }

  // 2. Compare with the plaintext: exactly the listed leaves differ,
  //    everything else is unchanged.
  const { original, stored } = views;
  const differing = [];
  const walk = (o, s, path) => {
    if (o !== null && typeof o === 'object') {
      assert.equal(typeof s, 'object', `${c.name}: shape changed at ${path}`);
      assert.deepEqual(Object.keys(s ?? {}).sort(), Object.keys(o).sort(), `${c.name}: keys changed at ${path}`);
      for (const k of Object.keys(o)) walk(o[k], s[k], joinPath(path, k));
    } else if (!Object.is(o, s)) {
      differing.push(path);
    }
  };
  walk(original, stored, '');
  assert.deepEqual(differing.sort(), fieldPaths.map(concretePath).sort(),
    `${c.name}: encrypted leaves differ from the declared paths`);

  for (const p of fieldPaths) {
    const ct = views.ciphertextAt(p);
    if (rec.dekVersion != null) {
      assert.equal(dekVersionOf(ct), rec.dekVersion, `${c.name}: DEK version of ${p}`);
    }
    if (c.deterministic) {
      // SIV: equal plaintexts must give equal ciphertexts (same DEK version).
      const key = views.plaintextAt(p).toString('base64');
      const seen = sivSeen.get(key);
      if (seen != null) assert.ok(seen.equals(ct), `${c.name}: SIV ciphertext of ${p} not deterministic`);
      sivSeen.set(key, ct);
    }
  }
}

async function produceCase(c) {
  await registerCaseSchemas(c);
  const ser = newSerializer(c);
  const out = [];
  const sivSeen = new Map();
  for (const rec of c.records) {
    if (rec.advanceMs) clock.advance(rec.advanceMs);
    const headers = {};
    const bytes = await ser.serialize(c.topic, messageOf(c, rec.value), headers);
    await checkRecord(c, rec, bytes, headers, sivSeen);
    const isProto = c.format === 'PROTOBUF';
    out.push({
      case: c.name,
      topic: c.topic,
      subject: subjectOf(c),
      isKey: Boolean(c.isKey),
      value: bytes.toString('base64'),
      headers: Object.entries(headers).map(([key, value]) => ({ key, value: Buffer.from(value).toString('base64') })),
      expected: isProto ? canonicalJson(protoDesc(c), messageOf(c, rec.value)) : toJsonValue(rec.value),
      encryptedPaths: [...new Set(rec.paths.map(fieldPath))],
      // What a writer needs besides the schema to encode the same value.
      ...(isProto ? { messageType: c.messageType, messageIndexes: c.messageIndexes } : {}),
    });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Dumping the mock registries
// ---------------------------------------------------------------------------

/** Same lookup order as the library's RuleContext.getParameter. */
function ruleParam(rule, metadata, name) {
  return rule.params?.[name] ?? metadata?.properties?.[name] ?? null;
}

async function dumpKeys(dekClient) {
  // Every (KEK, subject, algorithm) the cases use, derived from their rules.
  const triples = new Map();
  for (const c of CASES) {
    const rules = [...(c.ruleSet.domainRules ?? []), ...(c.ruleSet.encodingRules ?? [])];
    for (const rule of rules) {
      const kekName = ruleParam(rule, c.metadata, 'encrypt.kek.name');
      const algorithm = ruleParam(rule, c.metadata, 'encrypt.dek.algorithm') ?? 'AES256_GCM';
      const t = { kekName, subject: subjectOf(c), algorithm };
      triples.set(JSON.stringify(t), t);
    }
  }

  const kekNames = [...new Set([...triples.values()].map((t) => t.kekName))].sort();
  const keks = [];
  for (const name of kekNames) {
    const k = await dekClient.getKek(name, false);
    keks.push({
      name: k.name, kmsType: k.kmsType, kmsKeyId: k.kmsKeyId, kmsProps: k.kmsProps ?? {},
      shared: Boolean(k.shared), ts: k.ts, deleted: Boolean(k.deleted),
    });
  }

  const deks = [];
  for (const { kekName, subject, algorithm } of triples.values()) {
    // Version -1 = latest; then walk every version up to it.
    const latest = await dekClient.getDek(kekName, subject, algorithm, -1, false);
    for (let v = 1; v <= latest.version; v++) {
      const d = await dekClient.getDek(kekName, subject, algorithm, v, false);
      // keyMaterial (the unwrapped DEK, cached on the object by the executor)
      // is deliberately not written: Keywarden must unwrap it with local-kms.
      deks.push({
        kekName: d.kekName, subject: d.subject, version: d.version, algorithm: d.algorithm,
        encryptedKeyMaterial: d.encryptedKeyMaterial, ts: d.ts, deleted: Boolean(d.deleted),
      });
    }
  }
  deks.sort((a, b) => a.kekName.localeCompare(b.kekName) || a.subject.localeCompare(b.subject)
    || a.algorithm.localeCompare(b.algorithm) || a.version - b.version);

  // Guard against forgetting a DEK: the mock keeps them in an internal map
  // (not public API, so only checked when it is there).
  if (dekClient.dekCache instanceof Map) {
    assert.equal(deks.length, dekClient.dekCache.size, 'dumped DEK count differs from the mock registry');
  }
  if (dekClient.kekCache instanceof Map) {
    assert.equal(keks.length, dekClient.kekCache.size, 'dumped KEK count differs from the mock registry');
  }
  return { keks, deks };
}

async function dumpSchemas() {
  const schemas = [];
  for (const subject of await sr.getAllSubjects()) {
    for (const version of await sr.getAllVersions(subject)) {
      const s = await sr.getSchemaMetadata(subject, version);
      schemas.push({
        id: s.id,
        ...(s.guid ? { guid: s.guid } : {}),
        subject,
        version: s.version,
        schemaType: s.schemaType ?? 'AVRO',
        schema: s.schema,
        references: s.references ?? [],
        metadata: s.metadata ?? null,
        ruleSet: s.ruleSet ?? null,
      });
    }
  }
  schemas.sort((a, b) => a.id - b.id);
  const guids = schemas.map((s) => s.guid);
  assert.equal(new Set(guids).size, guids.length, 'schema GUIDs are not unique');
  return schemas;
}

/**
 * Every record's framing (payload prefix or schema-id header) must name a
 * dumped schema of the record's own subject, or readers of the fixture would
 * pick the wrong schema and rules.
 */
function checkFraming(fixture) {
  for (const r of fixture.records) {
    const header = r.headers.findLast((h) => h.key === (r.isKey ? '__key_schema_id' : '__value_schema_id'));
    const framing = Buffer.from(header ? header.value : r.value, 'base64');
    const schema = framing[0] === 0
      ? fixture.schemas.find((s) => s.id === framing.readInt32BE(1) && s.subject === r.subject)
      : fixture.schemas.find((s) => s.guid?.replaceAll('-', '') === framing.subarray(1, 17).toString('hex')
        && s.subject === r.subject);
    assert.ok(schema, `${r.case}: framing does not name a schema of subject ${r.subject}`);
  }
}

// ---------------------------------------------------------------------------

async function main() {
  const outPath = process.argv[2];
  if (!outPath) {
    console.error('usage: node produce.mjs <out-fixture.json>');
    process.exit(2);
  }

  // Constructing any serde configures the executors (and creates their DEK
  // registry clients), after which they can share one registry.
  newSerializer(CASES[0]);
  const dekClient = shareDekRegistry(enc);
  stampRegistryTimestamps(dekClient);

  const records = [];
  for (const c of CASES) {
    const recs = await produceCase(c);
    records.push(...recs);
    console.log(`produced ${String(recs.length).padStart(2)} record(s)  ${c.name}`);
  }

  const { keks, deks } = await dumpKeys(dekClient);
  const fixture = {
    generator: `${PACKAGE_NAME} ${await clientVersion()}`,
    localSecret: LOCAL_SECRET,
    keks,
    deks,
    schemas: await dumpSchemas(),
    records,
  };
  checkFraming(fixture);
  await writeJson(outPath, fixture);
  console.log(`wrote ${outPath}: ${records.length} records, ${CASES.length} cases, `
    + `${keks.length} KEKs, ${deks.length} DEKs, ${fixture.schemas.length} schemas`);
}

await main();
