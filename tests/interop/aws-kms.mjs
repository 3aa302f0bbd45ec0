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
import { AwsKmsDriver } from '@confluentinc/schemaregistry/dist/rules/encryption/awskms/aws-driver.js';
import { DecryptCommand, KMSClient } from '@aws-sdk/client-kms';
import { serializerRoundTrip } from './kms-serde.mjs';

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
async function roundTrip() {
  AwsKmsDriver.register();
  await serializerRoundTrip({
    registryUrl, kmsType: 'aws-kms', keyId: keyArn, outPath: outOrWrapped,
    ruleConfig: Object.fromEntries(driverConfig),
    kmsSettings: { 'endpoint.override': endpoint, 'access.key.id': accessKeyId, 'secret.access.key': secret },
    // One DEK: the executor generates it, wraps it with Encrypt, registers it, and unwraps the
    // registered copy again with Decrypt (GenerateDataKey is not used); the reader unwraps it.
    afterWrite: () => checkSeen(['Encrypt', 'Decrypt']),
    afterRead: () => checkSeen(['Decrypt']),
  });
}

try {
  await (unwrapMode ? unwrap() : roundTrip());
} finally {
  proxy.close();
}
