// kms-serde.mjs: the serializer round trip aws-kms.mjs, gcp-kms.mjs, vault-kms.mjs and
// azure-kms.mjs share.
//
// serializerRoundTrip() registers an Avro schema with an ENCRYPT rule whose KEK is of a remote
// KMS type, has Confluent's official serializer write records (its executor auto-creates the
// KEK and a DEK, wrapped by the registered KMS driver), reads them back with a fresh client,
// and writes a fixture in produce.mjs's format, built from the sandbox's REST answers, plus
// "kmsSettings" for `keywarden-interop decrypt`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import {
  AvroDeserializer,
  AvroSerializer,
  FieldEncryptionExecutor,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
} from '@confluentinc/schemaregistry';
import { toJsonValue, writeJson } from './fixture-util.mjs';

/**
 * @param o.registryUrl   the sandbox's registry
 * @param o.kmsType       "aws-kms", "gcp-kms", "hcvault", "azure-kms"
 * @param o.keyId         the KEK's kmsKeyId
 * @param o.ruleConfig    what the serializers get as ruleConfig (the driver's credentials)
 * @param o.kmsSettings   Keywarden's settings of kmsType, written into the fixture
 * @param o.outPath       the fixture
 * @param o.afterWrite    called after the writes (checks the KMS calls), then afterRead
 */
export async function serializerRoundTrip(o) {
  const base = o.registryUrl.replace(/\/+$/, '');
  const short = o.kmsType.replace(/-kms$/, '');
  const topic = `${short}-interop`;
  const subject = `${topic}-value`;
  const kekName = `interop-${short}`;
  const restOk = async (path) => {
    const r = await fetch(`${base}${path}`, { headers: { Accept: 'application/json' } });
    const text = await r.text();
    assert.equal(r.status, 200, `GET ${path} -> ${r.status} ${text.slice(0, 200)}`);
    return JSON.parse(text);
  };

  const schema = {
    type: 'record', name: 'Payment', namespace: `com.acme.${short}`,
    fields: [
      { name: 'paymentId', type: 'string' },
      { name: 'iban', type: 'string', 'confluent:tags': ['PII'] },
      { name: 'cardToken', type: 'bytes', 'confluent:tags': ['PII'] },
      { name: 'amountCents', type: 'long' },
    ],
  };
  const rule = {
    name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'],
    params: { 'encrypt.kek.name': kekName, 'encrypt.kms.type': o.kmsType, 'encrypt.kms.key.id': o.keyId },
    onFailure: 'ERROR,ERROR',
  };
  const newSet = () => {
    const sr = SchemaRegistryClient.newClient({ baseURLs: [base], cacheCapacity: 100 });
    const registry = new RuleRegistry();
    registry.registerExecutor(new FieldEncryptionExecutor());
    return { sr, registry };
  };
  const writer = newSet();
  await writer.sr.register(subject, {
    schemaType: 'AVRO', schema: JSON.stringify(schema), ruleSet: { domainRules: [rule] },
  });
  const ser = new AvroSerializer(writer.sr, SerdeType.VALUE,
    { autoRegisterSchemas: false, useLatestVersion: true, ruleConfig: o.ruleConfig }, writer.registry);
  const values = [1, 2, 3].map((n) => ({
    paymentId: `pay-${n}`, iban: `DE89370400440532013${n.toString().padStart(3, '0')}`,
    cardToken: randomBytes(12 + n), amountCents: 1250 * n,
  }));
  const records = [];
  for (const v of values) {
    const bytes = await ser.serialize(topic, { ...v, cardToken: Buffer.from(v.cardToken) });
    records.push({ v, bytes });
  }
  o.afterWrite?.();

  const reader = newSet();
  const deser = new AvroDeserializer(reader.sr, SerdeType.VALUE, { ruleConfig: o.ruleConfig }, reader.registry);
  for (const { v, bytes } of records) {
    const got = await deser.deserialize(topic, bytes);
    assert.deepEqual(toJsonValue(got), toJsonValue(v));
  }
  o.afterRead?.();
  console.log(`ok the official serializer wrote and a fresh deserializer read ${records.length} records`);

  const kek = await restOk(`/dek-registry/v1/keks/${kekName}`);
  assert.equal(kek.kmsType, o.kmsType);
  assert.equal(kek.kmsKeyId, o.keyId);
  const dek = await restOk(`/dek-registry/v1/keks/${kekName}/deks/${subject}/versions/1?algorithm=AES256_GCM`);
  const { keyMaterial, ...storedDek } = dek; // Keywarden must unwrap it itself
  assert.equal(keyMaterial, undefined, 'a non-shared KEK\'s DEK carries no keyMaterial');
  const schemas = [];
  for (const version of await restOk(`/subjects/${subject}/versions`)) {
    const s = await restOk(`/subjects/${subject}/versions/${version}`);
    schemas.push({
      id: s.id, ...(s.guid ? { guid: s.guid } : {}), subject, version: s.version,
      schemaType: s.schemaType ?? 'AVRO', schema: s.schema, references: s.references ?? [],
      metadata: s.metadata ?? null, ruleSet: s.ruleSet ?? null,
    });
  }
  await writeJson(o.outPath, {
    generator: `@confluentinc/schemaregistry with its ${o.kmsType} driver against keywarden-sandbox`,
    localSecret: '',
    // Keywarden's settings of this type: the double's endpoint and the same credentials.
    kmsSettings: { [o.kmsType]: o.kmsSettings },
    keks: [{ ...kek, kmsProps: kek.kmsProps ?? {}, deleted: Boolean(kek.deleted) }],
    deks: [{ ...storedDek, deleted: Boolean(storedDek.deleted) }],
    schemas,
    records: records.map(({ v, bytes }, i) => ({
      case: `${o.kmsType} record ${i + 1}`, topic, subject, isKey: false,
      value: bytes.toString('base64'), headers: [], expected: toJsonValue(v),
      encryptedPaths: ['iban', 'cardToken'],
    })),
  });
  console.log(`wrote ${o.outPath}: ${records.length} records under KEK ${kekName} (${o.keyId})`);
}
