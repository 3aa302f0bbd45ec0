// azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION [unwrap B64 HEX]
//
// The official Azure SDK (@azure/keyvault-keys' CryptographyClient, what Confluent's
// azure-kms client calls) against the sandbox's Azure Key Vault double. Confluent's own
// AzureKmsDriver cannot be pointed at a double: it builds a ClientSecretCredential with no
// options (MSAL: https authority only, instance discovery against login.microsoftonline.com)
// and a CryptographyClient with challenge-resource verification on (the vault host must be
// under vault.azure.net). So this uses the same SDK class with:
//   - a TokenCredential written here that gets its token from the double's token endpoint
//     TOKEN_URL with the client-credentials grant (the same form MSAL posts);
//   - disableChallengeResourceVerification, as the vault is https://127.0.0.1:<port>;
//   - a small https proxy (cert made by the run script, trusted via NODE_EXTRA_CA_CERTS,
//     key and cert in TLS_KEY/TLS_CERT) mapping https://127.0.0.1:<port>/keys/... to
//     VAULT_URL/keys/... byte for byte, as the SDK insists on https.
// Credentials come from the environment: AZURE_TENANT_ID, AZURE_CLIENT_ID, AZURE_CLIENT_SECRET.
//
// Without "unwrap": the SDK wraps a random 34-byte DEK with RSA-OAEP-256, checks it unwraps it
// again, and prints {"jsWrapped": b64, "dekHex": hex}. With "unwrap B64 HEX": the SDK unwraps
// B64 (raw RSA-OAEP-256 bytes, e.g. Keywarden's) and checks it gives HEX.
import https from 'node:https';
import http from 'node:http';
import fs from 'node:fs';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { CryptographyClient } from '@azure/keyvault-keys';

const [tokenUrl, vaultUrl, keyName, keyVersion, mode, wrappedB64, dekHex] = process.argv.slice(2);
if (!tokenUrl || !vaultUrl || !keyName || !keyVersion) {
    console.error('usage: node azure-kms.mjs TOKEN_URL VAULT_URL KEY_NAME KEY_VERSION [unwrap B64 HEX]');
    process.exit(2);
}
const target = new URL(vaultUrl);
const clientId = process.env.AZURE_CLIENT_ID;
const clientSecret = process.env.AZURE_CLIENT_SECRET;

// A TokenCredential (@azure/core-auth): client credentials against the double.
const credential = {
    async getToken(scopes) {
        const form = new URLSearchParams({
            grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret,
            scope: Array.isArray(scopes) ? scopes.join(' ') : scopes,
        });
        const r = await fetch(tokenUrl, {
            method: 'POST', body: form,
            headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        });
        const json = await r.json();
        assert.equal(r.status, 200, JSON.stringify(json));
        return { token: json.access_token, expiresOnTimestamp: Date.now() + json.expires_in * 1000 };
    },
};

const proxy = https.createServer({
    key: fs.readFileSync(process.env.TLS_KEY), cert: fs.readFileSync(process.env.TLS_CERT),
}, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const headers = { ...req.headers, host: target.host };
        const out = http.request({
            host: target.hostname, port: target.port, method: req.method,
            path: target.pathname.replace(/\/$/, '') + req.url, headers,
        }, (up) => {
            res.writeHead(up.statusCode, up.headers);
            up.pipe(res);
        });
        out.on('error', (e) => { res.writeHead(502); res.end(String(e)); });
        out.end(Buffer.concat(chunks));
    });
});
await new Promise((resolve) => proxy.listen(0, '127.0.0.1', resolve));

try {
    const keyId = `https://127.0.0.1:${proxy.address().port}/keys/${keyName}/${keyVersion}`;
    const client = new CryptographyClient(keyId, credential,
                                          { disableChallengeResourceVerification: true });
    if (mode === 'unwrap') {
        const plain = await client.decrypt('RSA-OAEP-256', Buffer.from(wrappedB64, 'base64'));
        assert.equal(Buffer.from(plain.result).toString('hex'), dekHex);
        console.log('the Azure SDK unwrapped the DEK Keywarden wrapped');
    } else {
        const dek = randomBytes(34);
        const wrapped = await client.encrypt('RSA-OAEP-256', dek);
        assert.equal(wrapped.algorithm, 'RSA-OAEP-256');
        assert.equal(wrapped.result.length, 256);
        const again = await client.decrypt('RSA-OAEP-256', wrapped.result);
        assert.deepEqual(Buffer.from(again.result), dek);
        console.log(JSON.stringify({
            jsWrapped: Buffer.from(wrapped.result).toString('base64'), dekHex: dek.toString('hex'),
        }));
    }
} finally {
    proxy.close();
}
