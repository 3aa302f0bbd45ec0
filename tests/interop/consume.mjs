#!/usr/bin/env node
// consume.mjs <fixture.json>
//
// The reverse direction of produce.mjs: load a fixture (normally written by
// Keywarden, which generates and wraps its own DEKs with local-kms and
// encrypts the records) into the official JavaScript client's mock
// registries, deserialize every record with the official deserializers and
// compare the result with the record's `expected` value.
//
// Output: one line per record (`ok <case>` / `FAIL <case>: <reason>`), then
// `N passed, M failed`. Exit status 0 only if M == 0 and N > 0.

import {
  AvroDeserializer,
  JsonDeserializer,
  ProtobufDeserializer,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import {
  KEY_SCHEMA_ID_HEADER,
  VALUE_SCHEMA_ID_HEADER,
  jsonDiff,
  newEncryptionRegistry,
  readJson,
  shareDekRegistry,
  toJsonValue,
} from './fixture-util.mjs';
import { canonicalJson } from './protobuf-util.mjs';

const MAGIC_ID = 0x00; // 0x00 + int32 BE schema id
const MAGIC_GUID = 0x01; // 0x01 + 16-byte GUID

// ---------------------------------------------------------------------------
// Schema registry
//
// The mock client hands out ids from its own counter (1, 2, 3, ...) and
// random GUIDs; it has no public way to register a schema under a given id or
// GUID, and real registries share one id across subjects while the mock does
// not. So the fixture's ids/GUIDs generally cannot be reproduced. Instead each
// schema is registered under its subject, the (subject, fixture id/GUID) ->
// (mock id/GUID) mapping is recorded, and the schema id in each record's
// framing (payload prefix or schema-id header) is rewritten to the mock's
// before deserializing. Only those 4 or 16 id bytes change; the encrypted body
// is passed through untouched, so this does not weaken the test.
// ---------------------------------------------------------------------------

async function loadSchemas(sr, schemas) {
  const idMap = new Map(); // `${subject}\0${fixtureId}` -> mock id
  const guidMap = new Map(); // `${subject}\0${fixtureGuid}` -> mock guid
  const versionMap = new Map(); // `${subject}\0${fixtureVersion}` -> mock version
  const typeById = new Map(); // `${subject}\0${mock id}` -> schemaType
  const key = (subject, x) => `${subject}\u0000${x}`;

  // Register in (subject, version) order so versions come out ascending, and
  // referenced schemas before the schemas that use them.
  let pending = [...schemas].sort((a, b) => a.subject.localeCompare(b.subject) || a.version - b.version);
  while (pending.length > 0) {
    const next = [];
    for (const s of pending) {
      const refs = s.references ?? [];
      if (refs.some((r) => !versionMap.has(key(r.subject, r.version)))) {
        next.push(s);
        continue;
      }
      const info = {
        schemaType: s.schemaType ?? 'AVRO',
        schema: s.schema,
        ...(refs.length > 0 ? {
          references: refs.map((r) => ({ name: r.name, subject: r.subject, version: versionMap.get(key(r.subject, r.version)) })),
        } : {}),
        ...(s.metadata != null ? { metadata: s.metadata } : {}),
        ...(s.ruleSet != null ? { ruleSet: s.ruleSet } : {}),
      };
      const registered = await sr.registerFullResponse(s.subject, info);
      const mockVersion = await sr.getVersion(s.subject, info);
      idMap.set(key(s.subject, s.id), registered.id);
      if (s.guid) guidMap.set(key(s.subject, s.guid.toLowerCase()), registered.guid);
      versionMap.set(key(s.subject, s.version), mockVersion);
      typeById.set(key(s.subject, registered.id), info.schemaType);
    }
    if (next.length === pending.length) {
      const missing = next.map((s) => `${s.subject} v${s.version}`).join(', ');
      throw new Error(`unresolvable schema references in: ${missing}`);
    }
    pending = next;
  }
  return { idMap, guidMap, typeById, key };
}

// ---------------------------------------------------------------------------
// DEK registry
// ---------------------------------------------------------------------------

async function loadKeys(dekClient, keks, deks) {
  for (const k of keks) {
    const kek = await dekClient.registerKek(k.name, k.kmsType, k.kmsKeyId, Boolean(k.shared), k.kmsProps ?? {}, k.doc);
    // The mock has no way to register a soft-deleted KEK; mark it so that
    // getKek(name, deleted=false), which the executor uses, fails just as it
    // would against a real registry.
    if (k.deleted) kek.deleted = true;
  }
  for (const d of deks) {
    // The executor reads DEKs with deleted=true, so soft-deleted DEKs stay
    // readable, as with a real registry. The mock ignores `ts`; reading never
    // checks expiry.
    await dekClient.registerDek(d.kekName, d.subject, d.algorithm ?? 'AES256_GCM', d.version ?? 1, d.encryptedKeyMaterial);
  }
}

// ---------------------------------------------------------------------------
// Records
// ---------------------------------------------------------------------------

function uuidToBytes(uuid) {
  const hex = uuid.replaceAll('-', '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`bad GUID ${uuid}`);
  return Buffer.from(hex, 'hex');
}

function bytesToUuid(b) {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * Rewrite the schema reference in a framing buffer (0x00+id or 0x01+GUID) to
 * the mock registry's. Returns [new buffer, mock id or null, mock guid or null].
 */
function remapFraming(buf, subject, maps, where) {
  const { idMap, guidMap, key } = maps;
  if (buf.length >= 5 && buf[0] === MAGIC_ID) {
    const fixtureId = buf.readInt32BE(1);
    const mockId = idMap.get(key(subject, fixtureId));
    if (mockId == null) throw new Error(`${where}: schema id ${fixtureId} not in fixture schemas for subject ${subject}`);
    const out = Buffer.from(buf);
    out.writeInt32BE(mockId, 1);
    return [out, mockId, null];
  }
  if (buf.length >= 17 && buf[0] === MAGIC_GUID) {
    const fixtureGuid = bytesToUuid(buf.subarray(1, 17));
    const mockGuid = guidMap.get(key(subject, fixtureGuid));
    if (mockGuid == null) throw new Error(`${where}: schema GUID ${fixtureGuid} not in fixture schemas for subject ${subject}`);
    const out = Buffer.from(buf);
    uuidToBytes(mockGuid).copy(out, 1);
    return [out, null, mockGuid];
  }
  throw new Error(`${where}: unknown magic byte ${buf[0]}`);
}

/**
 * Turn the fixture record into (payload, headers) for the mock registry and
 * find out the writer schema's type (to pick the Avro, JSON or Protobuf deserializer).
 */
function prepareRecord(rec, maps) {
  let payload = Buffer.from(rec.value, 'base64');
  const headerName = rec.isKey ? KEY_SCHEMA_ID_HEADER : VALUE_SCHEMA_ID_HEADER;
  // Headers are passed as { key: [values...] }; the deserializer uses the
  // last value of the schema-id header, like the Java client.
  const headers = {};
  let idHeader = -1;
  (rec.headers ?? []).forEach((h, i) => {
    if (h.key === headerName) idHeader = i;
  });
  let mockId = null;
  let mockGuid = null;
  (rec.headers ?? []).forEach((h, i) => {
    let value = Buffer.from(h.value, 'base64');
    if (i === idHeader) {
      [value, mockId, mockGuid] = remapFraming(value, rec.subject, maps, `header ${h.key}`);
    }
    (headers[h.key] ??= []).push(value);
  });
  if (idHeader < 0) {
    [payload, mockId, mockGuid] = remapFraming(payload, rec.subject, maps, 'payload');
  }
  return { payload, headers, mockId, mockGuid };
}

async function schemaTypeOf(sr, maps, subject, mockId, mockGuid) {
  if (mockId != null) return maps.typeById.get(maps.key(subject, mockId));
  const info = await sr.getByGuid(mockGuid);
  return info.schemaType ?? 'AVRO';
}

// ---------------------------------------------------------------------------

/** Fill the mock registries from the fixture and return what the records need. */
async function setUp(fixture) {
  const srConfig = { baseURLs: ['mock://'], cacheCapacity: 1000 };
  const sr = SchemaRegistryClient.newClient(srConfig);
  const enc = newEncryptionRegistry(); // real clock: reads never check DEK expiry
  // Report a failed decryption as an error, whatever the rule's onFailure
  // says: with "ERROR,NONE" the deserializer would silently return the
  // ciphertext, and the mismatch below would hide the real reason.
  enc.registry.registerOverride({ type: 'ENCRYPT', onFailure: 'ERROR' });
  enc.registry.registerOverride({ type: 'ENCRYPT_PAYLOAD', onFailure: 'ERROR' });

  const deserConfig = (subject) => ({
    ruleConfig: { secret: fixture.localSecret },
    // The DEK subject is the serializer's subject; take it from the fixture
    // rather than deriving it from the topic.
    subjectNameStrategy: () => subject,
  });
  const deserializers = { AVRO: AvroDeserializer, JSON: JsonDeserializer, PROTOBUF: ProtobufDeserializer };
  const newDeserializer = (schemaType, rec) => {
    const Deser = deserializers[schemaType];
    if (Deser == null) throw new Error(`unsupported schemaType ${schemaType}`);
    return new Deser(sr, rec.isKey ? SerdeType.KEY : SerdeType.VALUE, deserConfig(rec.subject), enc.registry);
  };

  // Constructing a deserializer configures the executors; then they can share
  // one DEK registry, which is filled from the fixture.
  newDeserializer('AVRO', { subject: '', isKey: false });
  const dekClient = shareDekRegistry(enc);
  await loadKeys(dekClient, fixture.keks, fixture.deks);
  const maps = await loadSchemas(sr, fixture.schemas);
  return { sr, maps, newDeserializer };
}


/**
 * The decrypted value as the fixture's `expected` shows it. A Protobuf message
 * is rendered with the canonical proto3 JSON mapping, using the descriptor the
 * official deserializer decoded it with (its file registry, built from the
 * registered schema and its references).
 */
function rendered(schemaType, deserializer, rec, value) {
  if (schemaType !== 'PROTOBUF') return toJsonValue(value);
  if (rec.messageType != null && value.$typeName !== rec.messageType) {
    throw new Error(`decoded a ${value.$typeName}, the record says ${rec.messageType}`);
  }
  const desc = deserializer.fileRegistry.getMessage(value.$typeName);
  if (desc == null) throw new Error(`no descriptor for ${value.$typeName}`);
  return canonicalJson(desc, value);
}

function oneLine(err) {
  return String(err?.message ?? err).replaceAll('\n', ' ');
}

async function main() {
  const fixturePath = process.argv[2];
  if (!fixturePath) {
    console.error('usage: node consume.mjs <fixture.json>');
    process.exit(2);
  }
  let fixture;
  let setup;
  try {
    fixture = await readJson(fixturePath);
    for (const field of ['localSecret', 'keks', 'deks', 'schemas', 'records']) {
      if (fixture[field] == null) throw new Error(`fixture has no "${field}"`);
    }
    setup = await setUp(fixture);
  } catch (err) {
    // Keep the output contract even when the fixture cannot be loaded at all.
    console.log(`FAIL <fixture>: ${oneLine(err)}`);
    console.log('0 passed, 1 failed');
    process.exitCode = 1;
    return;
  }
  const { sr, maps, newDeserializer } = setup;

  let passed = 0;
  let failed = 0;
  for (const [index, rec] of fixture.records.entries()) {
    const name = rec.case ?? '<unnamed>';
    try {
      const { payload, headers, mockId, mockGuid } = prepareRecord(rec, maps);
      const schemaType = await schemaTypeOf(sr, maps, rec.subject, mockId, mockGuid);
      const deserializer = newDeserializer(schemaType, rec);
      const value = await deserializer.deserialize(rec.topic, payload, headers);
      const diff = jsonDiff(rec.expected, rendered(schemaType, deserializer, rec, value));
      if (diff != null) throw new Error(`value mismatch at ${diff}`);
      console.log(`ok ${name}`);
      passed++;
    } catch (err) {
      // Case names repeat when a case has several records; the index tells
      // which fixture record failed.
      console.log(`FAIL ${name}: record #${index}: ${oneLine(err)}`);
      failed++;
    }
  }
  console.log(`${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

await main();
