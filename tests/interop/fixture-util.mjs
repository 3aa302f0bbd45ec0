// Helpers shared by produce.mjs and consume.mjs.
//
// The fixture is plain JSON, so every value that the serializers handle as a
// Buffer (Avro `bytes`, ciphertext of bytes fields) is written as standard
// base64. Both scripts go through the same rendering so that "expected" and
// "actual" are compared in the same shape.

import { readFile, writeFile } from 'node:fs/promises';
import {
  EncryptionExecutor,
  FieldEncryptionExecutor,
  LocalKmsDriver,
  RuleRegistry,
} from '@confluentinc/schemaregistry';

export const PACKAGE_NAME = '@confluentinc/schemaregistry';

// Marker used in `encryptedPaths` when the whole serialized body is encrypted
// (ENCRYPT_PAYLOAD); the same label Keywarden's interop runner reports. Avro
// names cannot contain parentheses, so it cannot clash with a field path.
export const PAYLOAD_PATH = '(payload)';

// Kafka header names that carry the schema GUID (see csfle-facts §8.4).
export const VALUE_SCHEMA_ID_HEADER = '__value_schema_id';
export const KEY_SCHEMA_ID_HEADER = '__key_schema_id';

/** Version of the installed official client, read from its package.json. */
export async function clientVersion() {
  const url = new URL(`./node_modules/${PACKAGE_NAME}/package.json`, import.meta.url);
  return JSON.parse(await readFile(url, 'utf8')).version;
}

export async function readJson(path) {
  return JSON.parse(await readFile(path, 'utf8'));
}

export async function writeJson(path, value) {
  await writeFile(path, JSON.stringify(value, null, 2) + '\n');
}

/**
 * Render a deserialized value as plain JSON data: Buffers/Uint8Arrays become
 * standard base64 strings, class instances (avsc records) become plain
 * objects. This is the shape a console shows for an Avro record, and the shape
 * stored in a fixture's `expected`.
 */
export function toJsonValue(value) {
  if (value === null || value === undefined) return null;
  if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
    return Buffer.from(value).toString('base64');
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

/**
 * Deep copy that keeps Buffers as Buffers. The serializers transform the
 * message object *in place* (encrypted values are written back into it), and
 * structuredClone would turn Buffers into plain Uint8Arrays, which avsc
 * rejects for `bytes`.
 */
export function cloneValue(value) {
  if (Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(cloneValue);
  if (value !== null && typeof value === 'object') {
    const out = {};
    for (const [k, v] of Object.entries(value)) out[k] = cloneValue(v);
    return out;
  }
  return value;
}

/**
 * Compare two JSON values (already rendered by toJsonValue). Object key order
 * is irrelevant; everything else must match exactly. Returns null when equal,
 * otherwise a short description of the first difference.
 */
export function jsonDiff(expected, actual, path = '') {
  const where = path === '' ? '<root>' : path;
  const kind = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
  if (kind(expected) !== kind(actual)) {
    return `${where}: expected ${kind(expected)} ${short(expected)}, got ${kind(actual)} ${short(actual)}`;
  }
  if (Array.isArray(expected)) {
    if (expected.length !== actual.length) {
      return `${where}: expected array of ${expected.length}, got ${actual.length}`;
    }
    for (let i = 0; i < expected.length; i++) {
      const d = jsonDiff(expected[i], actual[i], joinPath(path, i));
      if (d) return d;
    }
    return null;
  }
  if (expected !== null && typeof expected === 'object') {
    const keys = new Set([...Object.keys(expected), ...Object.keys(actual)]);
    for (const k of [...keys].sort()) {
      if (!(k in expected)) return `${joinPath(path, k)}: unexpected key`;
      if (!(k in actual)) return `${joinPath(path, k)}: missing`;
      const d = jsonDiff(expected[k], actual[k], joinPath(path, k));
      if (d) return d;
    }
    return null;
  }
  return Object.is(expected, actual) ? null : `${where}: expected ${short(expected)}, got ${short(actual)}`;
}

export function joinPath(path, segment) {
  return path === '' ? String(segment) : `${path}.${segment}`;
}

function short(v) {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/**
 * Build a rule registry holding the two encryption executors.
 *
 * A private registry (instead of the library's global one) keeps the scripts
 * independent of import order and lets produce.mjs build a second registry
 * with field encryption disabled for its checks.
 *
 * The executors must already be configured (that happens when a serializer or
 * deserializer is constructed with them) before `shareDekRegistry` is called.
 */
export function newEncryptionRegistry(clock) {
  // local-kms is registered in the library's global KMS driver list; doing it
  // twice would only add a duplicate entry, so guard it.
  if (!newEncryptionRegistry.kmsRegistered) {
    LocalKmsDriver.register();
    newEncryptionRegistry.kmsRegistered = true;
  }
  const fieldExecutor = new FieldEncryptionExecutor(clock);
  const payloadExecutor = new EncryptionExecutor(clock);
  const registry = new RuleRegistry();
  registry.registerExecutor(fieldExecutor);
  registry.registerExecutor(payloadExecutor);
  return { registry, fieldExecutor, payloadExecutor };
}

/**
 * Each executor creates its own DEK registry client in configure(); with a
 * `mock://` URL that is a separate in-memory MockDekRegistryClient per
 * executor. A real deployment has one DEK registry, so point the payload
 * executor at the field executor's client. Without this, a schema that uses
 * the same KEK for ENCRYPT and ENCRYPT_PAYLOAD would get two different DEKs
 * with the same (kek, subject, algorithm, version) identity.
 */
export function shareDekRegistry({ fieldExecutor, payloadExecutor }) {
  const dekClient = fieldExecutor.executor.client;
  if (dekClient == null) {
    throw new Error('encryption executors are not configured yet (construct a serde first)');
  }
  payloadExecutor.client = dekClient;
  return dekClient;
}
