#!/usr/bin/env node
// workflow-client.mjs: Confluent's official JavaScript serializers around Keywarden's key
// workflows (run-workflow-client.sh), against a running keywarden-sandbox over REST.
//
//   produce  REG SECRET OUT.json BATCH VERSION
//       A fresh client set (new registry client, new executors, empty DEK caches: a
//       restarted producer) registers the schema if needed and serializes records of batch
//       BATCH; every encrypted value must carry DEK version VERSION. Each record is also
//       decrypted by a second fresh client set. OUT.json holds the bytes (base64) and the
//       expected values, for `keywarden-interop produce` and the checks below.
//   consume  REG SECRET IN.json...
//       A fresh client set deserializes every record of the files: each must equal its
//       expected value (after a rewrap or a rotation made by Keywarden).
//   compare  KEYWARDEN.jsonl IN.json...
//       `keywarden-cli records --reveal --format json` output: every record of the files is
//       there, decrypted to its expected value, each field under the file's DEK version.
//
// Prints ok/FAIL lines and ends with `N passed, M failed`; exit status 0 only if M = 0 < N.

import { readFile } from 'node:fs/promises';
import {
  AvroDeserializer,
  AvroSerializer,
  Clock,
  FieldEncryptionExecutor,
  LocalKmsDriver,
  RuleRegistry,
  SchemaRegistryClient,
  SerdeType,
  SubjectNameStrategyType,
} from '@confluentinc/schemaregistry';
import { PACKAGE_NAME, clientVersion, cloneValue, jsonDiff, toJsonValue, writeJson } from './fixture-util.mjs';

const TOPIC = 'wf-avro';
const SUBJECT = `${TOPIC}-value`;
const KEK = 'wf-kek';
const PER_BATCH = 6;

let passed = 0;
let failed = 0;
async function check(name, fn) {
  try {
    const r = await fn();
    passed++;
    console.log(`ok ${name}${r ? `  (${r})` : ''}`);
  } catch (err) {
    failed++;
    console.log(`FAIL ${name}: ${err?.message ?? err}`);
  }
}
function expect(cond, message) {
  if (!cond) throw new Error(message);
}

const schema = {
  type: 'record', name: 'Payment', namespace: 'com.acme.workflows',
  fields: [
    { name: 'id', type: 'long' },
    { name: 'holder', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'iban', type: 'string', 'confluent:tags': ['PII'] },
    { name: 'city', type: 'string' },
  ],
};
// A rotating rule (30 days: the DEK the producer creates is not due during the test), so
// every value carries its DEK version, and a version Keywarden adds is the one producers use.
const ruleSet = {
  domainRules: [{
    name: 'encryptPII', kind: 'TRANSFORM', mode: 'WRITEREAD', type: 'ENCRYPT', tags: ['PII'],
    params: {
      'encrypt.kek.name': KEK, 'encrypt.kms.type': 'local-kms', 'encrypt.kms.key.id': 'wf-key',
      'encrypt.dek.algorithm': 'AES256_GCM', 'encrypt.dek.expiry.days': '30',
    },
    onFailure: 'ERROR,ERROR',
  }],
};
const payment = (batch, i) => ({
  id: batch * 1000 + i, holder: `Holder ${batch}-${i} Ünïcødé`, iban: `NO93 8601 1117 ${batch}${i}47`, city: 'Tromsø',
});

LocalKmsDriver.register();

function clientSet(base, secret, rawFields = false) {
  const sr = SchemaRegistryClient.newClient({ baseURLs: [base], cacheCapacity: 1000 });
  const registry = new RuleRegistry();
  registry.registerExecutor(new FieldEncryptionExecutor(new Clock()));
  if (rawFields) registry.registerOverride({ type: 'ENCRYPT', disabled: true });
  const conf = { ruleConfig: { secret }, subjectNameStrategyType: SubjectNameStrategyType.TOPIC };
  return {
    sr,
    ser: () => new AvroSerializer(sr, SerdeType.VALUE, { ...conf, autoRegisterSchemas: false, useLatestVersion: true }, registry),
    deser: () => new AvroDeserializer(sr, SerdeType.VALUE, conf, registry),
  };
}

async function produce([reg, secret, out, batchText, versionText]) {
  const base = reg.replace(/\/+$/, '');
  const batch = Number(batchText);
  const version = Number(versionText);
  const writer = clientSet(base, secret);
  await check(`register ${SUBJECT}`, async () => {
    const id = await writer.sr.register(SUBJECT, { schemaType: 'AVRO', schema: JSON.stringify(schema), ruleSet });
    return `id ${id}`;
  });
  const ser = writer.ser();
  const raw = clientSet(base, secret, true).deser();
  const reader = clientSet(base, secret).deser();
  const records = [];
  for (let i = 0; i < PER_BATCH; i++) {
    const value = payment(batch, i);
    await check(`batch ${batch} record ${i} encrypted under v${version}`, async () => {
      const bytes = await ser.serialize(TOPIC, cloneValue(value), {});
      const stored = await raw.deserialize(TOPIC, bytes, {});
      for (const field of ['holder', 'iban']) {
        const ct = Buffer.from(stored[field], 'base64');
        expect(ct.length > 5 && ct[0] === 0, `${field} has no version prefix`);
        const v = ct.readInt32BE(1);
        expect(v === version, `${field} is under DEK version ${v}, not ${version}`);
      }
      const back = await reader.deserialize(TOPIC, bytes, {});
      const d = jsonDiff(toJsonValue(value), toJsonValue(back));
      expect(d === null, `round trip differs: ${d}`);
      records.push({
        topic: TOPIC,
        key: Buffer.from(`wf-${batch}-${i}`).toString('base64'),
        value: bytes.toString('base64'),
        headers: [],
        expected: toJsonValue(value),
        version,
      });
    });
  }
  await writeJson(out, { generator: `${PACKAGE_NAME} ${await clientVersion()}`, records });
}

async function load(files) {
  const all = [];
  for (const f of files) all.push(...JSON.parse(await readFile(f, 'utf8')).records);
  return all;
}

async function consume([reg, secret, ...files]) {
  const reader = clientSet(reg.replace(/\/+$/, ''), secret).deser();
  for (const r of await load(files)) {
    const key = Buffer.from(r.key, 'base64').toString();
    await check(`fresh deserializer reads ${key} (v${r.version})`, async () => {
      const back = await reader.deserialize(r.topic, Buffer.from(r.value, 'base64'), {});
      const d = jsonDiff(r.expected, toJsonValue(back));
      expect(d === null, `differs: ${d}`);
    });
  }
}

async function compare([keywarden, ...files]) {
  const lines = (await readFile(keywarden, 'utf8')).split('\n').filter((l) => l.trim());
  const byKey = new Map(lines.map((l) => JSON.parse(l)).map((o) => [o.key, o]));
  for (const r of await load(files)) {
    const key = Buffer.from(r.key, 'base64').toString();
    await check(`Keywarden decrypts ${key} (v${r.version})`, async () => {
      const got = byKey.get(key);
      expect(got, 'not in keywarden-cli records output');
      for (const f of got.fields ?? []) {
        expect(f.status === 'decrypted', `${f.path}: ${f.status} ${f.message ?? ''}`);
        expect(f.dekVersion === r.version, `${f.path} under v${f.dekVersion}, not v${r.version}`);
      }
      expect((got.fields ?? []).length === 2, `${(got.fields ?? []).length} encrypted fields, not 2`);
      const d = jsonDiff(r.expected, got.value);
      expect(d === null, `differs: ${d}`);
    });
  }
}

const [mode, ...args] = process.argv.slice(2);
const modes = { produce, consume, compare };
try {
  if (!modes[mode]) throw new Error(`usage: workflow-client.mjs produce|consume|compare ... (got ${mode})`);
  await modes[mode](args);
} catch (err) {
  console.error(err);
  failed++;
}
console.log(`${passed} passed, ${failed} failed`);
process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
