// gcp-kms.mjs wrap GCP_SETTINGS_JSON KEY_NAME
// gcp-kms.mjs unwrap GCP_SETTINGS_JSON KEY_NAME WRAPPED_B64 DEK_HEX
// gcp-kms.mjs serde GCP_SETTINGS_JSON KEY_NAME REGISTRY_URL OUT_FIXTURE
//
// Google's official Cloud KMS client (@google-cloud/kms KeyManagementServiceClient) against the
// sandbox's GCP KMS double. GCP_SETTINGS_JSON is the sandbox's "kms"."gcp-kms" entry (the
// service account Confluent's driver would be given, keywarden.endpoint).
//
// Why not Confluent's own GcpKmsDriver: it builds `new KeyManagementServiceClient({credentials})`
// and nothing else, so the client talks gRPC (HTTP/2, TLS) to cloudkms.googleapis.com:443. The
// only environment knob the client reads is GOOGLE_CLOUD_UNIVERSE_DOMAIN (which changes the
// host name, still gRPC over TLS on 443); the double speaks the REST API over plain HTTP.
// So this script uses the same SDK with what the driver leaves at their defaults: fallback
// (HTTP/1.1 REST) mode, apiEndpoint/port/protocol pointed at a proxy that maps /v1/... to
// <keywarden.endpoint>/v1/... byte for byte, and the same credentials object Confluent's driver
// builds from account.type, client.id, client.email, private.key.id, private.key. With those,
// google-auth-library signs its own bearer JWT (useJWTAccessWithScope: the service account's
// RS256 assertion with the cloudkms scope, no token endpoint), as it does against Google.
//
// wrap: the SDK encrypts a fresh DEK and decrypts it again, then once more with Google's CRC32C
// integrity fields (and a wrong one, refused); prints {"wrapped": b64, "dekHex": hex}.
// unwrap: the SDK decrypts WRAPPED_B64 (e.g. what Keywarden's gcp-kms driver made) and must
// give DEK_HEX. serde: Confluent's serializer writes records under a gcp-kms KEK
// (kms-serde.mjs) with Confluent's GcpKmsDriver and GcpKmsClient unchanged except for the one
// thing they cannot be told: the KMS client each GcpKmsClient built (gRPC, same credentials) is
// replaced by the REST-mode client above, made from the very credentials object the driver
// built; OUT_FIXTURE is for `keywarden-interop decrypt`. Every mode's proxy asserts each call carried a bearer JWT of the service account
// and that the double answered it with 200.
import http from 'node:http';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { KeyManagementServiceClient } from '@google-cloud/kms';
import { registerKmsDriver } from '@confluentinc/schemaregistry';
import { GcpKmsDriver } from '@confluentinc/schemaregistry/dist/rules/encryption/gcpkms/gcp-driver.js';
import { serializerRoundTrip } from './kms-serde.mjs';

const [mode, settingsJson, keyName, wrappedB64, dekHex] = process.argv.slice(2);
if (!['wrap', 'unwrap', 'serde'].includes(mode) || !settingsJson || !keyName || (mode !== 'wrap' && !dekHex)) {
  console.error('usage: node gcp-kms.mjs wrap GCP_SETTINGS_JSON KEY_NAME\n'
    + '       node gcp-kms.mjs unwrap GCP_SETTINGS_JSON KEY_NAME WRAPPED_B64 DEK_HEX\n'
    + '       node gcp-kms.mjs serde GCP_SETTINGS_JSON KEY_NAME REGISTRY_URL OUT_FIXTURE');
  process.exit(2);
}
const settings = JSON.parse(settingsJson);
const target = new URL(settings['keywarden.endpoint']);

// --- the proxy: /v1/... -> <endpoint>/v1/..., bytes untouched --------------------------------
const seen = []; // { path, authorization, status, answer }
const proxy = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks);
    const call = { path: req.url, authorization: req.headers.authorization ?? '', status: 0, answer: '' };
    seen.push(call);
    const out = http.request({
      host: target.hostname, port: target.port, method: req.method,
      path: target.pathname.replace(/\/$/, '') + req.url, headers: { ...req.headers, host: target.host },
    }, (up) => {
      const answer = [];
      up.on('data', (c) => answer.push(c));
      up.on('end', () => {
        call.status = up.statusCode;
        call.answer = Buffer.concat(answer).toString('utf8');
        res.writeHead(up.statusCode, up.headers);
        res.end(Buffer.concat(answer));
      });
    });
    out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
    out.end(body);
  });
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));

function checkSeen(verbs) {
  assert.deepEqual(seen.map((c) => c.path.split('?')[0]), verbs.map((v) => `/v1/${keyName}:${v}`),
    'the calls the SDK made');
  for (const c of seen) {
    assert.match(c.authorization, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/, 'a bearer JWT');
    const claims = JSON.parse(Buffer.from(c.authorization.split('.')[1], 'base64url').toString('utf8'));
    assert.equal(claims.iss, settings['client.email']);
    assert.equal(c.status, 200, `the double answered ${c.path} with ${c.status} ${c.answer}`);
  }
  console.log(`ok the double accepted ${seen.length} SDK calls (${verbs.join(', ')}), `
    + 'each with the SDK\'s self-signed service-account JWT');
  seen.length = 0;
}

// The credentials object Confluent's GcpKmsDriver builds from the same settings.
const credentials = {
  type: settings['account.type'] ?? 'service_account',
  private_key_id: settings['private.key.id'],
  private_key: settings['private.key'],
  client_email: settings['client.email'],
  client_id: settings['client.id'],
};
const clients = [];
function restClient(creds) {
  const c = new KeyManagementServiceClient({
    credentials: creds,
    fallback: true, // HTTP/1.1 + JSON (the REST API) instead of gRPC
    protocol: 'http',
    apiEndpoint: '127.0.0.1',
    port: proxy.address().port,
  });
  clients.push(c);
  return c;
}
const client = restClient(credentials);

// CRC32C (Castagnoli), as Google's integrity fields carry it.
function crc32c(bytes) {
  let crc = 0xffffffff;
  for (const b of bytes) {
    crc ^= b;
    for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0x82f63b78 & -(crc & 1));
  }
  return (crc ^ 0xffffffff) >>> 0;
}

// Confluent's driver, with the KMS client of each GcpKmsClient it makes re-pointed at the proxy.
class RestGcpKmsDriver extends GcpKmsDriver {
  newKmsClient(config, keyUrl) {
    const gcpClient = super.newKmsClient(config, keyUrl);
    const built = gcpClient.kmsClient._opts.credentials; // what the driver made of the config
    assert.deepEqual(built, credentials, 'the credentials Confluent\'s driver built');
    gcpClient.kmsClient.close(); // never used: nothing was connected yet
    gcpClient.kmsClient = restClient(built);
    return gcpClient;
  }
}

try {
  if (mode === 'serde') {
    registerKmsDriver(new RestGcpKmsDriver());
    const ruleConfig = Object.fromEntries(['account.type', 'client.id', 'client.email', 'private.key.id',
      'private.key'].map((k) => [k, settings[k]]));
    await serializerRoundTrip({
      registryUrl: wrappedB64, kmsType: 'gcp-kms', keyId: keyName, outPath: dekHex, ruleConfig,
      kmsSettings: settings,
      // The executor wraps the new DEK (encrypt), registers it and unwraps the registered copy.
      afterWrite: () => checkSeen(['encrypt', 'decrypt']),
      afterRead: () => checkSeen(['decrypt']),
    });
  } else if (mode === 'wrap') {
    const dek = randomBytes(32);
    const [enc] = await client.encrypt({ name: keyName, plaintext: dek });
    assert.ok(enc.name.startsWith(`${keyName}/cryptoKeyVersions/`), `name ${enc.name}`);
    assert.equal(enc.verifiedPlaintextCrc32c, false, 'no plaintext CRC32C was sent');
    const ciphertext = Buffer.from(enc.ciphertext);
    const [dec] = await client.decrypt({ name: keyName, ciphertext });
    assert.deepEqual(Buffer.from(dec.plaintext), dek);
    // Google's integrity fields, as the SDK sends them (Int64Value: a JSON string) and reads
    // them back: the double verifies what it is sent and checksums what it answers.
    const [checked] = await client.encrypt({ name: keyName, plaintext: dek, plaintextCrc32c: { value: crc32c(dek) } });
    assert.equal(checked.verifiedPlaintextCrc32c, true, 'verifiedPlaintextCrc32c');
    assert.equal(Number(checked.ciphertextCrc32c.value), crc32c(Buffer.from(checked.ciphertext)), 'ciphertextCrc32c');
    const [opened] = await client.decrypt({
      name: keyName, ciphertext: checked.ciphertext, ciphertextCrc32c: { value: crc32c(Buffer.from(checked.ciphertext)) },
    });
    assert.deepEqual(Buffer.from(opened.plaintext), dek);
    assert.equal(Number(opened.plaintextCrc32c.value), crc32c(dek), 'plaintextCrc32c');
    // A wrong checksum is refused, as Google refuses it (400 INVALID_ARGUMENT).
    await assert.rejects(client.decrypt({
      name: keyName, ciphertext: checked.ciphertext, ciphertextCrc32c: { value: (crc32c(Buffer.from(checked.ciphertext)) ^ 1) >>> 0 },
    }), (e) => e.code === 3 || /INVALID_ARGUMENT|400/.test(String(e.message)));
    seen.pop(); // the refused call: not a 200
    checkSeen(['encrypt', 'decrypt', 'encrypt', 'decrypt']);
    console.log(JSON.stringify({ wrapped: ciphertext.toString('base64'), dekHex: dek.toString('hex') }));
  } else {
    const [dec] = await client.decrypt({ name: keyName, ciphertext: Buffer.from(wrappedB64, 'base64') });
    assert.equal(Buffer.from(dec.plaintext).toString('hex'), dekHex);
    checkSeen(['decrypt']);
    console.log('@google-cloud/kms decrypted the DEK Keywarden wrapped');
  }
} finally {
  await Promise.all(clients.map((c) => c.close()));
  proxy.close();
}
