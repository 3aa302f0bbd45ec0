// vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME
//
// Confluent's official hcvault KMS client (@confluentinc/schemaregistry's HcVaultDriver, which
// drives node-vault) against the sandbox's Vault transit double at VAULT_ADDRESS
// (http://127.0.0.1:P/vault, from the sandbox's "kms" settings, keywarden.vault.address).
//
// The official client takes the Vault address from the key id and keeps only its origin
// (url.protocol + '//' + url.host), so it always calls <origin>/v1/transit/...; the double
// answers under the path prefix /vault. A small proxy here maps <proxy>/v1/... to
// VAULT_ADDRESS/v1/... byte for byte (headers and bodies untouched), and the key id given to
// the official client is http://127.0.0.1:<proxy>/transit/keys/KEY_NAME.
//
// Checks: the client wraps a DEK (the stored bytes are the UTF-8 text vault:vN:...), unwraps
// it again, and the double itself (called directly, as Keywarden's driver does) unwraps the
// official client's ciphertext, while the official client unwraps one the double made for a
// direct call. Prints one JSON line: {"jsWrapped": b64, "directWrapped": b64, "dekHex": hex}.
import http from 'node:http';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { HcVaultDriver } from '@confluentinc/schemaregistry/dist/rules/encryption/hcvault/hcvault-driver.js';

// With "unwrap B64 HEX" after KEY_NAME: only unwraps B64 (stored bytes, e.g. Keywarden's) with
// the official client and checks it gives HEX.
const [vaultAddress, token, keyName, mode, wrappedB64, dekHex] = process.argv.slice(2);
if (!vaultAddress || !token || !keyName) {
    console.error('usage: node vault-kms.mjs VAULT_ADDRESS TOKEN KEY_NAME');
    process.exit(2);
}
const target = new URL(vaultAddress);

const proxy = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const body = Buffer.concat(chunks);
        const headers = { ...req.headers, host: target.host };
        const out = http.request({
            host: target.hostname, port: target.port, method: req.method,
            path: target.pathname.replace(/\/$/, '') + req.url, headers,
        }, (up) => {
            res.writeHead(up.statusCode, up.headers);
            up.pipe(res);
        });
        out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
        out.end(body);
    });
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));
const proxyOrigin = `http://127.0.0.1:${proxy.address().port}`;

async function direct(op, body) {
    const r = await fetch(`${vaultAddress.replace(/\/$/, '')}/v1/transit/${op}/${keyName}`, {
        method: 'POST', headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
    });
    const json = await r.json();
    assert.equal(r.status, 200, JSON.stringify(json));
    return json.data;
}

try {
    const keyUrl = `hcvault://${proxyOrigin}/transit/keys/${keyName}`;
    const client = new HcVaultDriver().newKmsClient(new Map([['token.id', token]]), keyUrl);
    if (mode === 'unwrap') {
        const plain = await client.decrypt(Buffer.from(wrappedB64, 'base64'));
        assert.equal(plain.toString('hex'), dekHex);
        console.log('the official client unwrapped the DEK Keywarden wrapped');
        process.exitCode = 0;
    } else {
    const dek = randomBytes(34);
    const jsWrapped = await client.encrypt(dek);
    assert.match(jsWrapped.toString('utf8'), /^vault:v\d+:[A-Za-z0-9+/=]+$/);
    assert.deepEqual(await client.decrypt(jsWrapped), dek);
    // The double, called the way Keywarden's driver calls it, opens the official client's bytes.
    const opened = await direct('decrypt', { ciphertext: jsWrapped.toString('utf8') });
    assert.deepEqual(Buffer.from(opened.plaintext, 'base64'), dek);
    // And the official client opens a ciphertext made by a direct call.
    const made = await direct('encrypt', { plaintext: dek.toString('base64') });
    assert.deepEqual(await client.decrypt(Buffer.from(made.ciphertext, 'utf8')), dek);
    console.log(JSON.stringify({
        jsWrapped: jsWrapped.toString('base64'),
        directWrapped: Buffer.from(made.ciphertext, 'utf8').toString('base64'),
        dekHex: dek.toString('hex'),
    }));
    }
} finally {
    proxy.close();
}
