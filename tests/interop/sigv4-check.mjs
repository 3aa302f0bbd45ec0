// sigv4-check.mjs INTEROP AWS_SETTINGS_JSON KEY_ARN
//
// Cross-checks Keywarden's SigV4 signer (core/kms/sigv4) with the AWS SDK's own,
// @smithy/signature-v4:
//   - a capturing HTTP server stands in for AWS KMS: Keywarden's aws-kms driver
//     (`INTEROP aws-wrap` / `aws-unwrap`, endpoint.override pointed here) sends it an Encrypt and
//     a Decrypt, each as it goes on the wire;
//   - for each, SignatureV4 (same credentials, the region and service of Keywarden's credential
//     scope, "kms", the X-Amz-Date Keywarden sent, exactly the headers Keywarden signed, the
//     same method, path and body) must produce the same Authorization header, byte for byte;
//   - the same request, forwarded unchanged (Host included), must be accepted by the sandbox's
//     AWS KMS double (its SigV4 verifier, at AWS_SETTINGS_JSON's endpoint.override), which
//     answers the driver; and a copy with one body byte changed must be refused with
//     InvalidSignatureException (the verifier does check).
// AWS_SETTINGS_JSON is the sandbox's "kms"."aws-kms" entry.
import http from 'node:http';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { SignatureV4 } from '@smithy/signature-v4';

const [interop, settingsJson, keyArn] = process.argv.slice(2);
if (!interop || !settingsJson || !keyArn) {
  console.error('usage: node sigv4-check.mjs INTEROP AWS_SETTINGS_JSON KEY_ARN');
  process.exit(2);
}
const settings = JSON.parse(settingsJson);
const double = new URL(settings['endpoint.override']);
const credentials = { accessKeyId: settings['access.key.id'], secretAccessKey: settings['secret.access.key'] };

// The hash @smithy/signature-v4 is given in Node (what @smithy/hash-node does).
class Sha256 {
  constructor(secret) { this.hash = secret ? createHmac('sha256', secret) : createHash('sha256'); }
  update(data) { this.hash.update(data); }
  async digest() { return new Uint8Array(this.hash.digest()); }
}

function forward(req, body) {
  return new Promise((resolve, reject) => {
    const out = http.request({
      host: double.hostname, port: double.port, method: req.method, path: req.url, headers: req.headers,
    }, (up) => {
      const chunks = [];
      up.on('data', (c) => chunks.push(c));
      up.on('end', () => resolve({ status: up.statusCode, headers: up.headers, body: Buffer.concat(chunks) }));
    });
    out.on('error', reject);
    out.end(body);
  });
}

const captured = []; // { method, url, rawHeaders, body, status, answer }
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const entry = { req, body, status: 0, answer: null };
    captured.push(entry);
    try {
      const up = await forward(req, body);
      entry.status = up.status;
      entry.answer = up.body.toString('utf8');
      res.writeHead(up.status, up.headers);
      res.end(up.body);
    } catch (e) {
      res.writeHead(502);
      res.end(String(e));
    }
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const here = `http://127.0.0.1:${server.address().port}${double.pathname.replace(/\/$/, '')}`;
const mySettings = JSON.stringify({ ...settings, 'endpoint.override': here });

const run = promisify(execFile);
let failures = 0;
try {
  const dek = randomBytes(32).toString('hex');
  const wrapped = (await run(interop, ['aws-wrap', mySettings, keyArn, dek])).stdout.trim();
  await run(interop, ['aws-unwrap', mySettings, keyArn, wrapped, dek]);
  assert.deepEqual(captured.map((c) => c.req.headers['x-amz-target']),
    ['TrentService.Encrypt', 'TrentService.Decrypt'], 'the calls Keywarden made');

  for (const { req, body, status, answer } of captured) {
    const op = req.headers['x-amz-target'];
    const authorization = req.headers.authorization ?? '';
    const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/
      .exec(authorization);
    assert.ok(m, `${op}: Authorization ${authorization.replace(/Signature=\w+/, 'Signature=…')}`);
    const [, accessKey, dateStamp, region, service, signedHeaderList] = m;
    assert.equal(accessKey, credentials.accessKeyId);
    assert.equal(service, 'kms');
    assert.equal(region, keyArn.split(':')[3]);
    const amzDate = req.headers['x-amz-date'];
    assert.match(amzDate ?? '', /^\d{8}T\d{6}Z$/);
    assert.equal(amzDate.slice(0, 8), dateStamp);
    const signed = signedHeaderList.split(';');
    for (const h of ['host', 'x-amz-date', 'content-type', 'x-amz-target'])
      assert.ok(signed.includes(h), `${op}: ${h} is not among the signed headers ${signedHeaderList}`);

    // Exactly the headers Keywarden signed, as received (Node joins repeated ones with ", ").
    const headers = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      const name = req.rawHeaders[i];
      if (signed.includes(name.toLowerCase()) && name.toLowerCase() !== 'x-amz-date')
        headers[name] = name in headers ? `${headers[name]},${req.rawHeaders[i + 1]}` : req.rawHeaders[i + 1];
    }
    const [path, query = ''] = req.url.split('?');
    const signer = new SignatureV4({ credentials, region, service: 'kms', sha256: Sha256, applyChecksum: false });
    const signingDate = new Date(Date.UTC(+amzDate.slice(0, 4), +amzDate.slice(4, 6) - 1, +amzDate.slice(6, 8),
      +amzDate.slice(9, 11), +amzDate.slice(11, 13), +amzDate.slice(13, 15)));
    const request = {
      method: req.method, protocol: 'http:', hostname: '127.0.0.1', port: server.address().port, path,
      query: Object.fromEntries(new URLSearchParams(query)), headers, body,
    };
    const sdk = await signer.sign(request, { signingDate, signableHeaders: new Set(signed) });
    const sdkAuthorization = sdk.headers.authorization ?? sdk.headers.Authorization;
    if (sdkAuthorization === authorization) {
      console.log(`ok ${op}: @smithy/signature-v4 computes Keywarden's Authorization (SignedHeaders=${signedHeaderList})`);
    } else {
      failures++;
      console.log(`FAIL ${op}: @smithy/signature-v4 gives\n  ${sdkAuthorization}\nKeywarden sent\n  ${authorization}`);
    }
    if (status === 200) {
      console.log(`ok ${op}: the double's SigV4 verifier accepted Keywarden's request`);
    } else {
      failures++;
      console.log(`FAIL ${op}: the double answered ${status} ${answer}`);
    }
  }

  // A changed body byte must break the signature at the double.
  const { req, body } = captured[0];
  const tampered = Buffer.from(body);
  tampered[tampered.length - 3] ^= 0x01;
  const refused = await forward(req, tampered);
  const type = JSON.parse(refused.body.toString('utf8') || '{}').__type ?? '';
  if (refused.status === 400 && /InvalidSignatureException/.test(type)) {
    console.log('ok the double refuses the Encrypt with one body byte changed (InvalidSignatureException)');
  } else {
    failures++;
    console.log(`FAIL a tampered Encrypt got ${refused.status} ${refused.body.toString('utf8')}`);
  }
} finally {
  server.close();
}
console.log(failures === 0 ? 'SigV4 cross-check passed' : `${failures} SigV4 checks failed`);
process.exitCode = failures === 0 ? 0 : 1;
