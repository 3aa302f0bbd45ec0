#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets under tests/fuzz/corpus/<target>/.

The fuzz_record seeds decrypt successfully with the DEKs of the harness (the test vectors of
csfle-facts §4.5), so the fuzzer starts deep: AES-SIV and AES-GCM fields, DEK rotation
prefixes, encrypted payloads around Avro, JSON and Protobuf bodies. The Protobuf bodies are
written here by hand, field by field (proto3 wire format), beside the Avro ones. Needs the `cryptography` package.
Run it again after changing the harness's schemas; the output is deterministic.
"""

import base64
import json
import pathlib
import struct

from cryptography.hazmat.primitives.ciphers.aead import AESGCM, AESSIV

ROOT = pathlib.Path(__file__).resolve().parent / "corpus"

GCM_KEY = bytes.fromhex("41e5234c24a6a4f85b1d8237e99a12df8722f0c21837556acd0ec7adde5869cf")
SIV_KEY = bytes.fromhex(
    "9b971301e8ef5f0d9ce82e8cb28ef8fb14fa74944f4e5a958f598389958e1e39"
    "2b76c3e213b4a726c8437e3f0ee4a137bde3f4b8990e07aa8a050c8e7115498f")
ROTATION_V1 = b"\x00\x00\x00\x00\x01"  # magic 0 + DEK version 1 (rotation on)


def gcm(plain, iv_byte=0x11):
    iv = bytes([iv_byte]) * 12
    return iv + AESGCM(GCM_KEY).encrypt(iv, plain, None)


def siv(plain):
    return AESSIV(SIV_KEY).encrypt(plain, [b""])  # S2V over [empty AD, plaintext]


def b64(data):
    return base64.b64encode(data).decode()


# --- Avro binary ---------------------------------------------------------------------------
def zigzag(n):
    n = (n << 1) ^ (n >> 63)
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def a_bytes(data):
    return zigzag(len(data)) + data


def a_string(text):
    return a_bytes(text.encode() if isinstance(text, str) else text)


def customer(ssn, card, streets, notes=None):
    """bank.Customer of the harness: ssn, card (null|bytes), addresses, notes, kind, id, score."""
    out = a_string(ssn)
    out += zigzag(0) if card is None else zigzag(1) + a_bytes(card)
    if streets:
        out += zigzag(len(streets))
        for i, street in enumerate(streets):
            out += a_string(street) + zigzag(10000 + i)
    out += zigzag(0)
    notes = notes or {}
    if notes:
        out += zigzag(len(notes))
        for k, v in notes.items():
            out += a_string(k) + a_string(v)
    out += zigzag(0)
    out += zigzag(1)  # kind B
    out += b"ID01"  # fixed(4)
    out += struct.pack("<d", 0.5)
    return out


# --- Protobuf wire format ------------------------------------------------------------------
def varint(n):
    n &= (1 << 64) - 1  # negative int32/int64 values take ten bytes, as two's complement
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def pb_key(number, wire_type):
    return varint(number << 3 | wire_type)


def pb_len(number, data):
    return pb_key(number, 2) + varint(len(data)) + data


def pb_str(number, text):
    return pb_len(number, text.encode() if isinstance(text, str) else text)


def pb_varint(number, n):
    return pb_key(number, 0) + varint(n)


def message_indexes(indexes):
    """Confluent's message indexes: [0] as the single byte 0, else zig-zag count and indexes."""
    if indexes == [0]:
        return b"\x00"
    return zigzag(len(indexes)) + b"".join(zigzag(i) for i in indexes)


def pb_address(street, zip_code):
    """bank.Customer.Address of the harness: street = 1 (tagged), sint32 zip = 2."""
    return pb_str(1, street) + pb_varint(2, (zip_code << 1) ^ (zip_code >> 31))


def pb_customer(ssn, card, streets, label_street, email=None, phone=None, aliases=(),
                nickname=None):
    """bank.Customer of the harness, fields in number order."""
    out = pb_str(1, ssn) + pb_str(2, card)
    for i, street in enumerate(streets):
        out += pb_len(3, pb_address(street, 10000 + i))
    if label_street is not None:  # map<string, Address>: an entry message (key 1, value 2)
        out += pb_len(4, pb_str(1, "home") + pb_len(2, pb_address(label_street, -7)))
    if email is not None:
        out += pb_str(5, email)
    if phone is not None:
        out += pb_varint(6, phone)
    out += pb_varint(7, 1)  # kind B
    out += pb_key(8, 1) + struct.pack("<d", 0.5)
    out += pb_key(9, 5) + struct.pack("<I", 0xC0FFEE)
    for alias in aliases:
        out += pb_str(10, alias)
    if nickname is not None:
        out += pb_str(11, nickname)
    return out


def framed(schema_id, body):
    return b"\x00" + struct.pack(">i", schema_id) + body


def guid(schema_id):
    """The 16 bytes of the harness's GUID for a schema: 00000000-0000-4000-8000-<id, 12 digits>."""
    return bytes.fromhex("00000000" "0000" "4000" "8000" + f"{schema_id:012d}")


def write(target, name, data):
    d = ROOT / target
    d.mkdir(parents=True, exist_ok=True)
    (d / name).write_bytes(data)


def record_seeds():
    t = "fuzz_record"
    plain, seal, seal_siv, header = b"\x00", b"\x20", b"\x30", b"\x80"
    hello = b"hello world"
    # 1: vector (a), AES256_GCM field.
    write(t, "gcm_field", plain + framed(1, a_string(b64(gcm(hello, 0x22)))))
    # 5: vector (b), AES256_SIV field (deterministic: the exact bytes of the vector).
    write(t, "siv_field", plain + framed(5, a_string(b64(siv(hello)))))
    # 2: rotation prefixes on nested, optional and repeated fields.
    rot = lambda p: ROTATION_V1 + gcm(p)
    write(t, "rotated_fields", plain + framed(2, customer(
        b64(rot(b"123-45-6789")), rot(b"4111111111111111"),
        [b64(rot(b"1 Main St")), b64(rot(b"2 High St"))], {"k": "v"})))
    write(t, "rotated_null_card", plain + framed(2, customer(b64(rot(b"x")), None, [])))
    # 3: AES256_GCM payload around a bare Avro string.
    write(t, "gcm_payload", plain + framed(3, gcm(a_string(b"hello payload"))))
    # 6: AES256_SIV payload around a record with AES256_GCM fields.
    inner = customer(b64(gcm(b"123-45-6789")), gcm(b"4111"), [b64(gcm(b"1 Main St"))], {"a": "b"})
    write(t, "siv_payload_gcm_fields", plain + framed(6, siv(inner)))
    # 6 by GUID framing, and by a schema-id header.
    write(t, "siv_payload_guid", plain + b"\x01" + guid(6) + siv(inner))
    write(t, "siv_payload_header", header + b"\x01" + guid(6) + siv(inner))
    # 4: JSON with AES256_GCM fields.
    doc = {"name": b64(gcm(b"abc")), "items": [{"v": b64(gcm(b"x"))}, {"v": b64(gcm(b"y"))}]}
    write(t, "json_gcm_fields", plain + framed(4, json.dumps(doc).encode()))
    # 7: AES256_GCM payload around JSON with AES256_SIV fields (params from metadata).
    doc7 = {"name": b64(siv(b"abc")), "items": [{"v": b64(siv(b"x"))}]}
    write(t, "json_gcm_payload_siv_fields", plain + framed(7, gcm(json.dumps(doc7).encode())))
    # Sealed by the harness (bit 5): the fuzzer mutates the plaintext of encrypted payloads.
    write(t, "sealed_gcm_string", seal + framed(3, a_string(b"sealed")))
    write(t, "sealed_siv_record", seal_siv + framed(6, inner))
    write(t, "sealed_gcm_json", seal + framed(7, json.dumps(doc7).encode()))
    write(t, "sealed_siv_header", b"\xb0" + b"\x01" + guid(6) + inner)
    # 8: Protobuf, AES256_GCM fields: bank.Customer ([1]) with nested, repeated, map, oneof
    # and metadata-tagged (nickname) fields; bank.Note ([0]); bank.Customer.Address ([1, 0]).
    g = lambda p: b64(gcm(p))
    pb_full = pb_customer(g(b"123-45-6789"), gcm(b"4111111111111111"),
                          [g(b"1 Main St"), g(b"2 High St")], g(b"3 Mill Ln"),
                          email=g(b"ada@example.org"), aliases=[g(b"Ada"), g(b"A.")],
                          nickname=g(b"Addie"))
    write(t, "protobuf_gcm_fields", plain + framed(8, message_indexes([1]) + pb_full))
    write(t, "protobuf_gcm_phone", plain + framed(8, message_indexes([1]) + pb_customer(
        g(b"x"), gcm(b"y"), [], None, phone=-1)))
    write(t, "protobuf_note", plain + framed(8, message_indexes([0]) + pb_str(1, g(b"a note"))))
    write(t, "protobuf_address", plain + framed(8, message_indexes([1, 0]) +
                                                pb_address(g(b"4 Elm Rd"), 42)))
    write(t, "protobuf_batch", plain + framed(8, message_indexes([2]) + pb_len(1, pb_full) +
                                              pb_len(2, pb_varint(1, 7) + pb_str(2, b"\xff\x00"))))
    # 9: Protobuf, AES256_SIV fields with the rotation prefix; by GUID and by header too.
    r = lambda p: ROTATION_V1 + siv(p)
    pb_rot = pb_customer(b64(r(b"123-45-6789")), r(b"4111"), [b64(r(b"1 Main St"))],
                         b64(r(b"2 High St")), email=b64(r(b"e@x")), aliases=[b64(r(b"B"))])
    write(t, "protobuf_rotated_siv_fields", plain + framed(9, message_indexes([1]) + pb_rot))
    write(t, "protobuf_rotated_guid", plain + b"\x01" + guid(9) + message_indexes([1]) + pb_rot)
    write(t, "protobuf_rotated_header", header + b"\x01" + guid(9) + message_indexes([1, 0]) +
          pb_address(b64(r(b"5 Oak Ct")), 1))
    # 10: Protobuf, AES256_SIV payload after the message indexes, around AES256_GCM fields.
    write(t, "protobuf_siv_payload_gcm_fields",
          plain + framed(10, message_indexes([1]) + siv(pb_full)))
    write(t, "protobuf_sealed_siv_payload", seal_siv + framed(10, message_indexes([1]) + pb_full))
    write(t, "protobuf_sealed_siv_address",
          seal_siv + framed(10, message_indexes([1, 0]) + pb_address(g(b"6 Ash Gr"), 3)))
    # Failures worth starting from: unknown GUID, a payload that does not authenticate.
    write(t, "unknown_guid", plain + b"\x01" + bytes(15) + b"\x02")
    write(t, "bad_payload_tag", plain + framed(3, bytes(40)))


def registry_seeds():
    t = "fuzz_registry_json"
    # Byte 0 bit 0: an error answer, byte 1 then picks its status (see fuzz_registry_json.cpp);
    # the rest is the body.
    ok, err = b"\x00", b"\x01"
    kek = {"name": "kek1", "kmsType": "local-kms", "kmsKeyId": "mykey",
           "kmsProps": {"secret": "s"}, "doc": "d", "shared": False, "ts": 1700000000000}
    dek = {"kekName": "kek1", "subject": "topic1-value", "version": 1, "algorithm": "AES256_SIV",
           "encryptedKeyMaterial": "YSx3DTlAHrmpoDChquJMifmPntBzxgRVdMzgYL82rgWBKn7aUSnG+WIu9ozB"
                                   "NS3y2vXd++mBtK07w4/W/G6w0da39X9hfOVZsGnkSvry/QRht84V8yz3dqKx"
                                   "GMOK5A==",
           "keyMaterial": "GiBB5SNMJKak+FsdgjfpmhLfhyLwwhg3VWrNDset3lhpzw==",
           "ts": 1700000000000, "deleted": True}
    schema = {"subject": "topic1-value", "version": 3, "id": 7,
              "guid": "00000000-0000-4000-8000-000000000007", "schemaType": "AVRO",
              "schema": "{\"type\":\"record\",\"name\":\"F1Schema\",\"fields\":[{\"name\":\"f1\","
                        "\"type\":\"string\",\"confluent:tags\":[\"PII\"]}]}",
              "references": [{"name": "bank.Address", "subject": "address-value", "version": 1}],
              "metadata": {"tags": {"F1Schema.f1": ["PII"]},
                           "properties": {"encrypt.kek.name": "kek1"}},
              "ruleSet": {"domainRules": [{"name": "enc", "type": "ENCRYPT", "tags": ["PII"],
                                           "params": {"encrypt.dek.algorithm": "AES256_SIV",
                                                      "encrypt.dek.expiry.days": "7"},
                                           "onFailure": "ERROR,NONE"}],
                          "encodingRules": [{"type": "ENCRYPT_PAYLOAD", "mode": "READ"}],
                          "enableAt": "CLIENT"},
              "ts": 1700000000000}
    j = lambda v: json.dumps(v, separators=(",", ":")).encode()
    write(t, "kek", ok + j(kek))
    write(t, "kek_deleted_shared", ok + j({**kek, "shared": True, "deleted": True, "kmsProps": {}}))
    write(t, "dek", ok + j(dek))
    write(t, "schema", ok + j(schema))
    write(t, "schema_json_type", ok + j({"schema": "{\"type\":\"object\"}", "schemaType": "JSON"}))
    write(t, "schema_list", ok + j([schema, {"schema": "\"string\"", "id": 1}]))
    write(t, "subjects", ok + j(["topic1-value", "topic2-key", "üñí"]))
    write(t, "versions", ok + j([1, 2, 3, -4]))
    write(t, "subject_versions", ok + j([{"subject": "topic1-value", "version": 2}]))
    write(t, "register_id", ok + j({"id": 42}))
    write(t, "bare_int", ok + b"3")
    write(t, "error_40470", err + b"\x03" + j({"error_code": 40470, "message": "Key 'kek1' not found."}))
    write(t, "error_42201", b"\x03\x07" + j({"error_code": 42201, "message": "Invalid schema"}))
    write(t, "error_html", err + b"\x0a" + b"<html><body>Bad Gateway</body></html>")
    write(t, "config", ok + j({"compatibilityLevel": "BACKWARD"}))


def schema_seeds():
    t = "fuzz_schema"
    # Byte 0: bit 1 Protobuf, else bit 0 JSON Schema, else Avro. The rest: NUL-separated parts
    # [schema text, metadata.tags JSON object, reference texts...]; a Protobuf reference is its
    # import name, a newline and its text.
    avro, js, proto = b"\x00", b"\x01", b"\x02"
    customer_schema = (
        '{"type":"record","name":"Customer","namespace":"bank","fields":['
        '{"name":"ssn","type":"string","confluent:tags":["PII"]},'
        '{"name":"card","type":["null","bytes"],"confluent:tags":["PII","PCI"]},'
        '{"name":"addresses","type":{"type":"array","items":{"type":"record","name":"Address",'
        '"fields":[{"name":"street","type":"string","confluent:tags":["PII"]},'
        '{"name":"zip","type":"int"}]}}},'
        '{"name":"notes","type":{"type":"map","values":"string"}},'
        '{"name":"kind","type":{"type":"enum","name":"Kind","symbols":["A","B"]}},'
        '{"name":"id","type":{"type":"fixed","name":"Id","size":4}},'
        '{"name":"when","type":{"type":"long","logicalType":"timestamp-millis"}},'
        '{"name":"score","type":"double"}]}')
    write(t, "avro_customer", avro + customer_schema.encode())
    write(t, "avro_metadata_tags", avro + customer_schema.encode() + b"\x00" +
          b'{"bank.Customer.ssn":["SSN"],"bank.*.street":["ADDR"]}')
    write(t, "avro_reference", avro +
          b'{"type":"record","name":"Order","namespace":"shop","fields":['
          b'{"name":"buyer","type":"bank.Address"},{"name":"n","type":"string",'
          b'"confluent:tags":["PII"]}]}' + b"\x00{}\x00" +
          b'{"type":"record","name":"Address","namespace":"bank","fields":['
          b'{"name":"street","type":"string","confluent:tags":["PII"]}]}')
    write(t, "avro_recursive", avro +
          b'{"type":"record","name":"Node","fields":[{"name":"v","type":"string",'
          b'"confluent:tags":["PII"]},{"name":"next","type":["null","Node"]}]}')
    write(t, "avro_bare", avro + b'"string"')
    js_schema = (
        '{"$id":"https://example.com/customer.json","type":"object","properties":{'
        '"name":{"type":"string","confluent:tags":["PII"]},'
        '"items":{"type":"array","items":{"type":"object","properties":{'
        '"v":{"type":"string","confluent:tags":["PII"]}}}},'
        '"extra":{"type":"object","additionalProperties":{"type":"string",'
        '"confluent:tags":["PII"]}},'
        '"either":{"oneOf":[{"type":"string","confluent:tags":["PII"]},{"type":"integer"}]},'
        '"all":{"allOf":[{"$ref":"#/definitions/addr"}]},'
        '"tuple":{"type":"array","prefixItems":[{"type":"string","confluent:tags":["PII"]}]}},'
        '"definitions":{"addr":{"type":"object","properties":{"street":{"type":"string",'
        '"confluent:tags":["PII"]}}}}}')
    write(t, "json_customer", js + js_schema.encode())
    write(t, "json_metadata_tags", js + js_schema.encode() + b"\x00" +
          b'{"$.name":["NAME"],"$.items.*":["ITEM"]}')
    write(t, "json_reference", js +
          b'{"type":"object","properties":{"a":{"$ref":"address.json"},'
          b'"b":{"$ref":"address.json#/properties/street"}}}' + b"\x00{}\x00" +
          b'{"$id":"https://example.com/address.json","type":"object","properties":{'
          b'"street":{"type":"string","confluent:tags":["PII"]}}}')
    write(t, "json_defs_loop", js +
          b'{"$defs":{"n":{"type":"object","properties":{"v":{"type":"string",'
          b'"confluent:tags":["PII"]},"next":{"$ref":"#/$defs/n"}}}},"$ref":"#/$defs/n"}')

    bank = b"""syntax = "proto3";
package bank;
import "confluent/meta.proto";
import "google/protobuf/timestamp.proto";
option java_package = "com.example.bank";
option (confluent.file_meta) = { doc: "customers" };
message Note { string text = 1 [(confluent.field_meta).tags = "PII"]; }
message Customer {
  option (confluent.message_meta).tags = "CUSTOMER";
  string ssn = 1 [(confluent.field_meta).tags = "PII"];
  bytes card = 2 [(confluent.field_meta) = { tags: ["PII", "PCI"] }];
  repeated Address addresses = 3;
  map<string, Address> by_label = 4;
  oneof contact {
    string email = 5 [(confluent.field_meta).tags = "PII"];
    int64 phone = 6;
  }
  Kind kind = 7;
  double score = 8 [deprecated = true];
  fixed32 id = 9;
  repeated string aliases = 10 [(confluent.field_meta).tags = "PII"];
  optional string nickname = 11;
  google.protobuf.Timestamp since = 12;
  message Address {
    string street = 1 [(confluent.field_meta).tags = "PII"];
    sint32 zip = 2;
    reserved 3, 5 to 7;
  }
  enum Kind { option allow_alias = true; A = 0; B = 1; BB = 1; }
}
"""
    write(t, "proto_customer", proto + bank)
    write(t, "proto_metadata_tags", proto + bank + b"\x00" +
          b'{"bank.Customer.nickname":["PII"],"bank.*.street":["ADDR"],"bank.Note.*":["N"]}')
    write(t, "proto_reference", proto +
          b'syntax = "proto3";\npackage shop;\nimport "bank/address.proto";\n'
          b'import "confluent/meta.proto";\n'
          b'message Order { bank.Address to = 1; string n = 2 '
          b'[(confluent.field_meta).tags = "PII"]; repeated bank.Address stops = 3; }\n'
          b"\x00{}\x00bank/address.proto\n"
          b'syntax = "proto3"; package bank; import "confluent/meta.proto";\n'
          b'message Address { string street = 1 [(confluent.field_meta).tags = "PII"]; '
          b"message Geo { double lat = 1; } Geo geo = 2; }\n")
    write(t, "proto2_required_groups", proto +
          b'syntax = "proto2";\npackage legacy;\nimport "confluent/meta.proto";\n'
          b"message Rec {\n"
          b'  required string id = 1 [(confluent.field_meta).tags = "PII"];\n'
          b'  optional bytes blob = 2 [default = "x", (confluent.field_meta).tags = "PII"];\n'
          b"  repeated group Item = 3 { optional string v = 4 "
          b'[(confluent.field_meta).tags = "PII"]; }\n'
          b"  extensions 100 to 199;\n"
          b"  optional Rec next = 5;\n"
          b"}\n"
          b"extend Rec { optional string extra = 100; }\n")
    write(t, "proto_wellknown", proto +
          b'syntax = "proto3";\nimport "google/protobuf/any.proto";\n'
          b'import "google/protobuf/struct.proto";\nimport "google/protobuf/wrappers.proto";\n'
          b'import "confluent/type/decimal.proto";\n'
          b"message Event { google.protobuf.Any any = 1; google.protobuf.Struct attrs = 2;\n"
          b"  google.protobuf.StringValue label = 3; confluent.type.Decimal amount = 4; }\n")
    # The serialized form Confluent's clients register: base64 of a FileDescriptorProto.
    meta_tags = pb_len(1088, pb_str(3, "PII"))  # FieldOptions { (confluent.field_meta) }
    field = lambda name, number, ftype, label=1, extra=b"": (
        pb_str(1, name) + pb_varint(3, number) + pb_varint(4, label) + pb_varint(5, ftype) + extra)
    inner = pb_str(1, "Inner") + pb_len(2, field("v", 1, 9, extra=pb_len(8, meta_tags)))
    descriptor = (pb_str(1, "customer.proto") + pb_str(2, "bank") +
                  pb_str(3, "confluent/meta.proto") +
                  pb_len(4, pb_str(1, "Customer") +
                         pb_len(2, field("ssn", 1, 9, extra=pb_len(8, meta_tags))) +
                         pb_len(2, field("card", 2, 12, extra=pb_len(8, meta_tags))) +
                         pb_len(2, field("inner", 3, 11, label=3,
                                         extra=pb_str(6, ".bank.Customer.Inner"))) +
                         pb_len(3, inner)) +
                  pb_len(4, pb_str(1, "Other") + pb_len(2, field("n", 1, 5))) +
                  pb_str(12, "proto3"))
    write(t, "proto_descriptor_base64", proto + base64.b64encode(descriptor))


if __name__ == "__main__":
    record_seeds()
    registry_seeds()
    schema_seeds()
