// aws-kms.mjs REGISTRY_URL AWS_ENDPOINT ACCESS_KEY_ID SECRET KEY_ARN OUT_FIXTURE
// aws-kms.mjs unwrap AWS_ENDPOINT ACCESS_KEY_ID SECRET KEY_ARN WRAPPED_B64 DEK_HEX
//
// Confluent's official aws-kms driver (@confluentinc/schemaregistry's AwsKmsDriver, which
// drives @aws-sdk/client-kms) against the sandbox's AWS KMS double at AWS_ENDPOINT
// (http://127.0.0.1:P/aws-kms, the sandbox's "kms" settings, endpoint.override).
//
// The driver builds its KMSClient from the key ARN's region and the credentials only; the AWS
// SDK for JavaScript v3 takes the endpoint from AWS_ENDPOINT_URL_KMS (then AWS_ENDPOINT_URL)
// in the environment (@smithy/core endpoints, getEndpointFromConfig("KMS")), path included.
// A recording proxy sits in between (bytes untouched, Host kept as the SDK signed it): the
// script asserts that every KMS call it saw was SigV4-signed by the SDK with the given access
// key and that the double answered each with 200, i.e. its verifier accepted the SDK's
// signatures.
//
// Default mode: registers an Avro schema with an ENCRYPT rule whose KEK is aws-kms (KEY_ARN),
// the official serializer writes records (auto-creating the KEK and a DEK the driver wraps
// through the double), a fresh client reads them back, and OUT_FIXTURE gets the records, the
// KEK, the DEK and the schema from the sandbox's REST answers (produce.mjs's format) plus
// "kmsSettings" for `keywarden-interop decrypt`.
//
// unwrap mode: @aws-sdk/client-kms's DecryptCommand (and the official driver's client) open
// WRAPPED_B64 (a CiphertextBlob, e.g. one Keywarden's driver made) and must give DEK_HEX.
import http from 'node:http';
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
import { AwsKmsDriver } from '@confluentinc/schemaregistry/dist/rules/encryption/awskms/aws-driver.js';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { toJsonValue, writeJson } from './fixture-util.mjs';

const args = process.argv.slice(2);
const unwrapMode = args[0] === 'unwrap';
const [registryUrl, endpoint, accessKeyId, secret, keyArn, outOrWrapped, dekHex] =
  unwrapMode ? [null, ...args.slice(1)] : args;
if (!endpoint || !accessKeyId || !secret || !keyArn || !outOrWrapped || (unwrapMode && !dekHex)) {
  console.error('usage: node aws-kms.mjs REGISTRY_URL AWS_ENDPOINT ACCESS_KEY_ID SECRET KEY_ARN OUT\n'
    + '       node aws-kms.mjs unwrap AWS_ENDPOINT ACCESS_KEY_ID SECRET KEY_ARN WRAPPED_B64 DEK_HEX');
  process.exit(2);
}
const target = new URL(endpoint);

// --- the recording proxy ------------------------------------------------------------------
const seen = []; // { target, authorization, status }
const proxy = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const call = { target: req.headers['x-amz-target'], authorization: req.headers.authorization ?? '', status: 0 };
    seen.push(call);
    const out = http.request({
      host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers,
    }, (up) => {
      call.status = up.statusCode;
      res.writeHead(up.statusCode, up.headers);
      up.pipe(res);
    });
    out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    out.end(body);
  });
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
// The SDK reads it when a KMSClient resolves its endpoint; the path prefix is kept.
process.env.AWS_ENDPOINT_URL_KMS = `http://127.0.0.1:${proxy.address().port}${target.pathname.replace(/\/$/, '')}`;
// Nothing from this machine's AWS set-up may take part.
delete process.env.AWS_ENDPOINT_URL;
delete process.env.AWS_PROFILE;
delete process.env.AWS_SESSION_TOKEN;
process.env.AWS_CONFIG_FILE = '/dev/null';
process.env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
process.env.AWS_EC2_METADATA_DISABLED = 'true';

function checkSeen(operations) {
  assert.deepEqual(seen.map((c) => c.target), operations.map((o) => `TrentService.${o}`),
    'the KMS calls the proxy saw');
  const region = keyArn.split(':')[3];
  for (const c of seen) {
    assert.match(c.authorization,
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${accessKeyId}/\\d{8}/${region}/kms/aws4_request, `
        + 'SignedHeaders=[a-z0-9;-]+, Signature=[0-9a-f]{64}$'), 'Authorization of an SDK call');
    assert.equal(c.status, 200, `the double answered ${c.target} with ${c.status}`);
  }
  console.log(`ok the double's SigV4 verifier accepted ${seen.length} SDK-signed calls (${operations.join(', ')})`);
  seen.length = 0;
}

const driverConfig = new Map([['access.key.id', accessKeyId], ['secret.access.key', secret]]);

async function unwrap() {
  const blob = Buffer.from(outOrWrapped, 'base64');
  // The SDK itself, as a person would call it.
  const sdk = new KMSClient({ region: keyArn.split(':')[3], credentials: { accessKeyId, secretAccessKey: secret } });
  const out = await sdk.send(new DecryptCommand({ KeyId: keyArn, CiphertextBlob: blob }));
  assert.equal(Buffer.from(out.Plaintext).toString('hex'), dekHex);
  assert.equal(out.KeyId, keyArn);
  // And Confluent's driver (DecryptCommand through its own client).
  const client = new AwsKmsDriver().newKmsClient(driverConfig, `aws-kms://${keyArn}`);
  assert.equal(Buffer.from(await client.decrypt(blob)).toString('hex'), dekHex);
  checkSeen(['Decrypt', 'Decrypt']);
  console.log('@aws-sdk/client-kms DecryptCommand and the official driver unwrapped the DEK Keywarden wrapped');
}

// --- serializer round trip ----------------------------------------------------------------
const BASE = (registryUrl ?? '').replace(/\/+$/, '');
const TOPIC = 'aws-interop';
const SUBJECT = `${TOPIC}-value`;
const KEK = 'interop-aws';

async function restOk(path) {
  const r = await fetch(`${BASE}${path}`, { headers: { Accept: 'application/json' } });
  const text = await r.text();
  assert.equal(r.status, 200, `GET ${path} -> ${r.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

async function roundTrip() {
  AwsKmsDriver.register();
  const ruleConfig = Object.fromEntries(driverConfig);
  const schema = {
    type: 'record', name: 'Payment', namespace: 'com.acme.aws',
    fields: [
      { name: 'paymentId', type: 'string' },
      { name: 'iban', type: 'string', 'confluent:tags': ['PII'] },
      { name: 'cardToken', type: 'bytes', 'confluent:tags': ['PII'] },
      { name: 'amountCents', type: 'long' },
    ],
  };
  const rule = {
    name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'],
    params: { 'encrypt.kek.name': KEK, 'encrypt.kms.type': 'aws-kms', 'encrypt.kms.key.id': keyArn },
    onFailure: 'ERROR,ERROR',
  };
  const newSet = () => {
    const sr = SchemaRegistryClient.newClient({ baseURLs: [BASE], cacheCapacity: 100 });
    const registry = new RuleRegistry();
    registry.registerExecutor(new FieldEncryptionExecutor());
    return { sr, registry };
  };
  const writer = newSet();
  await writer.sr.register(SUBJECT, {
    schemaType: 'AVRO', schema: JSON.stringify(schema), ruleSet: { domainRules: [rule] },
  });
  const ser = new AvroSerializer(writer.sr, SerdeType.VALUE,
    { autoRegisterSchemas: false, useLatestVersion: true, ruleConfig }, writer.registry);
  const values = [1, 2, 3].map((n) => ({
    paymentId: `pay-${n}`, iban: `DE89370400440532013${n.toString().padStart(3, '0')}`,
    cardToken: randomBytes(12 + n), amountCents: 1250 * n,
  }));
  const records = [];
  for (const v of values) {
    const bytes = await ser.serialize(TOPIC, { ...v, cardToken: Buffer.from(v.cardToken) });
    records.push({ v, bytes });
  }
  // One DEK: the executor generates it, wraps it with Encrypt, registers it, and unwraps the
  // registered copy again with Decrypt (GenerateDataKey is not used).
  checkSeen(['Encrypt', 'Decrypt']);

  const reader = newSet();
  const deser = new AvroDeserializer(reader.sr, SerdeType.VALUE, { ruleConfig }, reader.registry);
  for (const { v, bytes } of records) {
    const got = await deser.deserialize(TOPIC, bytes);
    assert.deepEqual(toJsonValue(got), toJsonValue(v));
  }
  checkSeen(['Decrypt']);
  console.log(`ok the official serializer wrote and a fresh deserializer read ${records.length} records`);

  const kek = await restOk(`/dek-registry/v1/keks/${KEK}`);
  assert.equal(kek.kmsType, 'aws-kms');
  assert.equal(kek.kmsKeyId, keyArn);
  const dek = await restOk(`/dek-registry/v1/keks/${KEK}/deks/${SUBJECT}/versions/1?algorithm=AES256_GCM`);
  const { keyMaterial, ...storedDek } = dek; // Keywarden must unwrap it itself
  assert.equal(keyMaterial, undefined, 'a non-shared KEK\'s DEK carries no keyMaterial');
  const schemas = [];
  for (const version of await restOk(`/subjects/${SUBJECT}/versions`)) {
    const s = await restOk(`/subjects/${SUBJECT}/versions/${version}`);
    schemas.push({
      id: s.id, ...(s.guid ? { guid: s.guid } : {}), subject: SUBJECT, version: s.version,
      schemaType: s.schemaType ?? 'AVRO', schema: s.schema, references: s.references ?? [],
      metadata: s.metadata ?? null, ruleSet: s.ruleSet ?? null,
    });
  }
  await writeJson(outOrWrapped, {
    generator: '@confluentinc/schemaregistry AwsKmsDriver against keywarden-sandbox',
    localSecret: '',
    // Keywarden's aws-kms settings: the double's endpoint and the same demo credentials.
    kmsSettings: { 'aws-kms': { 'endpoint.override': endpoint, 'access.key.id': accessKeyId, 'secret.access.key': secret } },
    keks: [{ ...kek, kmsProps: kek.kmsProps ?? {}, deleted: Boolean(kek.deleted) }],
    deks: [{ ...storedDek, deleted: Boolean(storedDek.deleted) }],
    schemas,
    records: records.map(({ v, bytes }, i) => ({
      case: `aws-kms record ${i + 1}`, topic: TOPIC, subject: SUBJECT, isKey: false,
      value: bytes.toString('base64'), headers: [], expected: toJsonValue(v),
      encryptedPaths: ['iban', 'cardToken'],
    })),
  });
  console.log(`wrote ${outOrWrapped}: ${records.length} records under KEK ${KEK} (${keyArn})`);
}

try {
  await (unwrapMode ? unwrap() : roundTrip());
} finally {
  proxy.close();
}
