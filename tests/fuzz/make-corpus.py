#!/usr/bin/python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the generated seed files of the fuzz corpora (tests/fuzz/corpus/).

Run with /usr/bin/python3 (numpy) from anywhere:

    /usr/bin/python3 tests/fuzz/make-corpus.py

The files are written from the formats' specifications with Python's own
tarfile, gzip, json and struct modules and numpy, independently of
libtensor: small valid files of every kind each parser accepts, and broken
variants of them (the errors the issue lists: sizes, truncation, labels
over 9, bad magic numbers, overflowing dimensions, unsafe archive paths,
bad offsets...). Every generated name starts with "gen-"; the other files
in the corpus folders (inputs the fuzzers found, crashes turned into
regression cases) are kept as they are. Output is deterministic: fixed
seeds, fixed archive timestamps (but for torch's legacy format, which
names its storages by their addresses). The files of torch.save are
written by Debian's python3-torch.
"""

import gzip
import io
import json
import os
import struct
import sys
import tarfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
RNG = np.random.default_rng(20240611)

CLASSES = ["airplane", "automobile", "bird", "cat", "deer",
           "dog", "frog", "horse", "ship", "truck"]


def write(target, name, data):
    folder = os.path.join(CORPUS, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, "gen-" + name), "wb") as f:
        f.write(data)


def clean(target):
    folder = os.path.join(CORPUS, target)
    if os.path.isdir(folder):
        for name in os.listdir(folder):
            if name.startswith("gen-"):
                os.remove(os.path.join(folder, name))


def gz(data):
    # mtime=0: the same bytes on every run.
    return gzip.compress(data, compresslevel=9, mtime=0)


# CIFAR-10: records of 1 label byte + 1,024 R, 1,024 G, 1,024 B bytes.

def cifar_records(labels, noisy=False):
    out = bytearray()
    for i, label in enumerate(labels):
        if noisy:
            pixels = RNG.integers(0, 256, size=(3, 32, 32), dtype=np.uint8)
        else:
            # A gradient: compresses to almost nothing.
            c, y, x = np.meshgrid(np.arange(3), np.arange(32), np.arange(32), indexing="ij")
            pixels = ((c * 80 + y * 4 + x + i * 7) % 256).astype(np.uint8)
        out.append(label)
        out += pixels.tobytes()
    return bytes(out)


def meta_text(names=CLASSES, newline="\n"):
    return newline.join(names).encode() + newline.encode()


def tar_bytes(members, compress="gz", prefix="cifar-10-batches-bin/"):
    """members: (name, bytes) or (name, None) for a folder, or
    (name, ("symlink", target))."""
    buf = io.BytesIO()
    # gzip by hand below: tarfile's gzip header holds a timestamp.
    mode = {"gz": "w", "none": "w", "bz2": "w:bz2", "xz": "w:xz"}[compress]
    kwargs = {"compresslevel": 9} if compress == "bz2" else {}
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.GNU_FORMAT, **kwargs) as tar:
        for name, data in members:
            info = tarfile.TarInfo(prefix + name if not name.startswith(("/", "..")) else name)
            info.mtime = 0
            info.uname = info.gname = "fuzz"
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            elif isinstance(data, tuple):
                info.type = tarfile.SYMTYPE
                info.linkname = data[1]
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    data = buf.getvalue()
    return gz(data) if compress == "gz" else data


def cifar_corpus():
    clean("cifar")
    one = cifar_records([3])
    two = cifar_records([0, 9])
    write("cifar", "bin-1-record.bin", one)
    write("cifar", "bin-2-records.bin", two)
    write("cifar", "bin-noisy.bin", cifar_records([5], noisy=True))
    write("cifar", "bin-empty.bin", b"")
    write("cifar", "bin-label-10.bin", cifar_records([10]))
    write("cifar", "bin-label-255-second.bin", cifar_records([1, 255]))
    write("cifar", "bin-short-record.bin", one[:-1])
    write("cifar", "bin-long-record.bin", one + b"\x00")
    write("cifar", "meta.txt", meta_text())
    write("cifar", "meta-crlf-blank-lines.txt", b"\r\n\r\n" + meta_text(newline="\r\n\r\n"))
    write("cifar", "meta-9-names.txt", meta_text(CLASSES[:9]))
    write("cifar", "meta-11-names.txt", meta_text(CLASSES + ["extra"]))
    write("cifar", "meta-bad-utf8.txt", meta_text()[:-1] + b"\xff\n")
    write("cifar", "meta-nul.txt", meta_text().replace(b"cat", b"c\x00t"))

    meta = meta_text()
    batches = [("data_batch_%d.bin" % i, cifar_records([i % 10]) if i < 3 else b"")
               for i in range(1, 6)]
    test = ("test_batch.bin", cifar_records([7]))
    full = batches + [test, ("batches.meta.txt", meta)]
    write("cifar", "archive.tar.gz", tar_bytes([("", None)] + full))
    write("cifar", "archive-test-only.tar.gz", tar_bytes([test, ("batches.meta.txt", meta)]))
    write("cifar", "archive-dot-prefix.tar.gz",
          tar_bytes(full, prefix="./cifar-10-batches-bin/"))
    write("cifar", "archive-plain.tar", tar_bytes(full, compress="none"))
    write("cifar", "archive.tar.bz2", tar_bytes(full, compress="bz2"))
    write("cifar", "archive.tar.xz", tar_bytes(full, compress="xz"))
    write("cifar", "archive-out-of-order.tar.gz",
          tar_bytes(list(reversed(full)) + [("readme.html", b"<p>CIFAR-10</p>")]))
    # Broken archives.
    write("cifar", "archive-dotdot.tar.gz",
          tar_bytes(full + [("../../etc/evil", b"x")]))
    write("cifar", "archive-absolute.tar.gz",
          tar_bytes([("/tmp/evil", b"x")] + full))
    write("cifar", "archive-twice.tar.gz", tar_bytes(full + [test]))
    write("cifar", "archive-no-meta.tar.gz", tar_bytes(batches + [test]))
    write("cifar", "archive-no-batch-3.tar.gz",
          tar_bytes(batches[:2] + batches[3:] + [test, ("batches.meta.txt", meta)]))
    write("cifar", "archive-bad-record.tar.gz",
          tar_bytes(batches + [("test_batch.bin", one[:-5]), ("batches.meta.txt", meta)]))
    write("cifar", "archive-bad-label.tar.gz",
          tar_bytes(batches + [("test_batch.bin", cifar_records([12])),
                               ("batches.meta.txt", meta)]))
    write("cifar", "archive-bad-meta.tar.gz",
          tar_bytes(batches + [test, ("batches.meta.txt", meta_text(CLASSES[:4]))]))
    write("cifar", "archive-folder-member.tar.gz",
          tar_bytes(batches + [("test_batch.bin", None), ("batches.meta.txt", meta)]))
    write("cifar", "archive-symlink-member.tar.gz",
          tar_bytes(batches + [("test_batch.bin", ("symlink", "data_batch_1.bin")),
                               ("batches.meta.txt", meta)]))
    plain = tar_bytes(full, compress="none")
    write("cifar", "archive-cut.tar", plain[:len(plain) // 2])
    packed = tar_bytes(full)
    write("cifar", "archive-cut.tar.gz", packed[:len(packed) * 2 // 3])
    corrupt = bytearray(packed)
    corrupt[len(corrupt) // 2] ^= 0x55
    write("cifar", "archive-corrupt.tar.gz", bytes(corrupt))
    # A header that promises more than the member holds: the size field of
    # test_batch.bin's header says 4 records.
    promise = bytearray(tar_bytes([test, ("batches.meta.txt", meta)], compress="none"))
    size_field = ("%011o" % (4 * 3073)).encode() + b"\0"
    promise[124:136] = size_field
    checksum = sum(promise[:148]) + 8 * 32 + sum(promise[156:512])
    promise[148:156] = ("%06o" % checksum).encode() + b"\0 "
    write("cifar", "archive-size-lies.tar", bytes(promise))
    write("cifar", "path-safe.txt", b"cifar-10-batches-bin/data_batch_1.bin")
    write("cifar", "path-backslash-dotdot.txt", b"a\\..\\b")


# IDX: 00 00 <type> <ndim>, big-endian u32 sizes, big-endian data.

IDX_TYPES = {np.uint8: 0x08, np.int8: 0x09, np.int16: 0x0B, np.int32: 0x0C,
             np.float32: 0x0D, np.float64: 0x0E}


def idx(array, type_code=None):
    array = np.asarray(array)
    code = type_code if type_code is not None else IDX_TYPES[array.dtype.type]
    header = bytes([0, 0, code, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return header + array.astype(array.dtype.newbyteorder(">")).tobytes()


def idx_header(code, dims):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


def idx_corpus():
    clean("idx")
    images = RNG.integers(0, 256, size=(3, 4, 5), dtype=np.uint8)
    labels = np.array([9, 0, 4], dtype=np.uint8)
    write("idx", "images-idx3", idx(images))
    write("idx", "labels-idx1", idx(labels))
    write("idx", "images-idx3.gz", gz(idx(images)))
    write("idx", "pair", idx(images) + idx(labels))
    write("idx", "pair.gz", gz(idx(images) + idx(labels)))
    # gzip members back to back.
    write("idx", "pair-two-members.gz", gz(idx(images)) + gz(idx(labels)))
    write("idx", "pair-empty", idx(np.zeros((0, 28, 28), np.uint8)) + idx(np.zeros(0, np.uint8)))
    write("idx", "int8", idx(np.array([[-128, 127], [0, -1]], np.int8)))
    write("idx", "int16", idx(np.array([-32768, 1, 32767], np.int16)))
    write("idx", "int32", idx(np.array([[-(2 ** 31)], [2 ** 31 - 1]], np.int32)))
    write("idx", "float32", idx(np.array([0.5, -np.inf, np.nan, 1e-40], np.float32)))
    write("idx", "float64", idx(np.array([[np.pi, -0.0, 1e308]], np.float64)))
    write("idx", "0-dims", idx(np.array(7, np.uint8)))
    write("idx", "8-dims", idx(np.ones((1, 2, 1, 2, 1, 2, 1, 1), np.uint8)))
    # Broken files.
    write("idx", "bad-magic", b"\x00\x01\x08\x01" + struct.pack(">I", 1) + b"\x00")
    write("idx", "bad-type", b"\x00\x00\x0a\x01" + struct.pack(">I", 1) + b"\x00")
    write("idx", "9-dims", idx_header(0x08, [1] * 9) + b"\x00")
    write("idx", "255-dims", bytes([0, 0, 8, 255]) + b"\x00\x00\x00\x01" * 3)
    write("idx", "short-header", idx_header(0x08, [3, 28, 28])[:9])
    write("idx", "truncated", idx(images)[:-1])
    write("idx", "trailing", idx(images) + b"\x00")
    write("idx", "overflow", idx_header(0x0E, [0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]))
    write("idx", "huge-dims", idx_header(0x08, [60000, 0xFFFFFFFF, 28]) + b"\x00" * 64)
    write("idx", "zero-with-huge-dims", idx_header(0x08, [0, 0xFFFFFFFF, 0xFFFFFFFF, 0xFFFFFFFF]))
    write("idx", "pair-zero-huge-images",
          idx_header(0x08, [0, 0xFFFFFFFF, 0xFFFFFFFF]) + idx(np.zeros(0, np.uint8)))
    write("idx", "pair-label-10", idx(images) + idx(np.array([9, 10, 0], np.uint8)))
    write("idx", "pair-count-differs", idx(images) + idx(np.array([1, 2], np.uint8)))
    write("idx", "pair-labels-2d", idx(images) + idx(np.array([[1, 2, 3]], np.uint8)))
    write("idx", "pair-images-int8", idx(images.astype(np.int8)) + idx(labels))
    good = gz(idx(images))
    write("idx", "gzip-cut.gz", good[:len(good) // 2])
    bad = bytearray(good)
    bad[-8] ^= 0xFF            # the CRC
    write("idx", "gzip-bad-crc.gz", bytes(bad))
    write("idx", "gzip-only-magic.gz", b"\x1f\x8b")
    write("idx", "gzip-trailing-garbage.gz", good + b"\x00garbage")


# safetensors: u64 little-endian header length, JSON header, data.

ST_DTYPES = {"BOOL": np.bool_, "U8": np.uint8, "I8": np.int8, "I16": np.int16, "U16": np.uint16,
             "F16": np.float16, "I32": np.int32, "U32": np.uint32, "F32": np.float32,
             "F64": np.float64, "I64": np.int64, "U64": np.uint64}
# The reference writer's order: larger alignment first, then the name.
ST_RANK = {"BOOL": 0, "U8": 1, "I8": 2, "I16": 5, "U16": 6, "F16": 7, "BF16": 8, "I32": 9,
           "U32": 10, "F32": 11, "F64": 12, "I64": 13, "U64": 14}


def safetensors(tensors, metadata=None):
    """tensors: name -> (dtype name, shape, raw little-endian bytes)."""
    header = {}
    if metadata:
        header["__metadata__"] = metadata
    offset = 0
    data = b""
    for name in sorted(tensors, key=lambda n: (-ST_RANK[tensors[n][0]], n)):
        dtype, shape, raw = tensors[name]
        header[name] = {"dtype": dtype, "shape": list(shape),
                        "data_offsets": [offset, offset + len(raw)]}
        offset += len(raw)
        data += raw
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data


def raw_header(text, data=b""):
    if isinstance(text, str):
        text = text.encode()
    return struct.pack("<Q", len(text)) + text + data


def t(dtype, array):
    array = np.asarray(array, dtype=ST_DTYPES[dtype])
    return (dtype, array.shape, array.astype(array.dtype.newbyteorder("<")).tobytes())


def safetensors_corpus():
    clean("safetensors")
    model = {
        "fc1.weight": t("F32", RNG.standard_normal((3, 4))),
        "fc1.bias": t("F32", RNG.standard_normal(3)),
        "bn.num_batches_tracked": t("I64", 7),
    }
    write("safetensors", "model.safetensors", safetensors(model, {"format": "pt"}))
    write("safetensors", "empty.safetensors", safetensors({}))
    write("safetensors", "metadata-only.safetensors",
          safetensors({}, {"a": "1", "é\n\"\\": "\u2603 \U0001f600"}))
    every = {"t_" + k.lower(): t(k, RNG.integers(0, 2, size=(2,)) if k == "BOOL"
                                 else RNG.integers(-3, 100, size=(2, 1)))
             for k in ST_DTYPES if k != "U64"}
    bf16 = np.array([1.0, -2.5, np.inf], np.float32).view(np.uint32) >> 16
    every["t_bf16"] = ("BF16", (3,), bf16.astype("<u2").tobytes())
    every["t_f16_special"] = t("F16", [np.nan, -np.inf, 6.1e-5, 5.96e-8, 65504.0])
    write("safetensors", "every-dtype.safetensors", safetensors(every))
    write("safetensors", "zero-size.safetensors",
          safetensors({"empty": t("F32", np.zeros((0, 3))), "scalar": t("F64", 1.5),
                       "huge-empty": ("F32", (0, 2 ** 62), b"")}))
    write("safetensors", "unicode-names.safetensors",
          safetensors({"\u00e9t\u00e9": t("U8", [1]), "no-nul \\ \"quoted\"": t("I8", [2]),
                       "\U0001f600": t("I16", [3])}))
    write("safetensors", "escapes.safetensors",
          raw_header('{"\\u00e9\\ud83d\\ude00\\n":{"dtype":"U8","shape":[1],'
                     '"data_offsets":[0,1]}}', b"\x05"))
    write("safetensors", "whitespace.safetensors",
          raw_header(' \t\r\n{ "x" : { "shape" : [ 2 ] , "data_offsets" : [ 0 , 2 ] , '
                     '"dtype" : "U8" } } \n ', b"\x01\x02"))
    # Broken files.
    good = safetensors(model)
    write("safetensors", "short.safetensors", b"\x10\x00\x00")
    write("safetensors", "header-too-long.safetensors", struct.pack("<Q", 2 ** 63) + b"{}")
    write("safetensors", "header-past-end.safetensors", struct.pack("<Q", 100) + b"{}")
    write("safetensors", "truncated-data.safetensors", good[:-1])
    write("safetensors", "trailing-data.safetensors", good + b"\x00")
    write("safetensors", "empty-header.safetensors", raw_header(""))
    write("safetensors", "not-object.safetensors", raw_header("[1, 2]"))
    write("safetensors", "trailing-comma.safetensors",
          raw_header('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},}', b"\x00"))
    write("safetensors", "u64.safetensors", safetensors({"big": t("U64", [2 ** 64 - 1])}))
    write("safetensors", "bad-utf8.safetensors", raw_header(b'{"\xff":1}'))
    write("safetensors", "nul.safetensors", raw_header(b'{"a\x00":1}'))
    write("safetensors", "unterminated.safetensors", raw_header('{"abc'))
    write("safetensors", "lone-surrogate.safetensors",
          raw_header('{"\\ud800":{"dtype":"U8","shape":[],"data_offsets":[0,1]}}', b"\x00"))
    write("safetensors", "bad-escape.safetensors", raw_header('{"\\x41":1}'))
    write("safetensors", "nul-escape.safetensors", raw_header('{"\\u0000":1}'))

    def entry(body, data=b"\x00\x00\x00\x00"):
        return raw_header('{"w":' + body + '}', data)

    write("safetensors", "unknown-dtype.safetensors",
          entry('{"dtype":"F8","shape":[1],"data_offsets":[0,1]}', b"\x00"))
    write("safetensors", "unknown-field.safetensors",
          entry('{"dtype":"U8","shape":[1],"data_offsets":[0,1],"x":0}', b"\x00"))
    write("safetensors", "field-twice.safetensors",
          entry('{"dtype":"U8","dtype":"U8","shape":[1],"data_offsets":[0,1]}', b"\x00"))
    write("safetensors", "missing-shape.safetensors",
          entry('{"dtype":"U8","data_offsets":[0,1]}', b"\x00"))
    write("safetensors", "negative-dim.safetensors",
          entry('{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}', b""))
    write("safetensors", "minus-zero-dim.safetensors",
          entry('{"dtype":"U8","shape":[-0],"data_offsets":[0,0]}', b""))
    write("safetensors", "float-dim.safetensors",
          entry('{"dtype":"U8","shape":[1.0],"data_offsets":[0,1]}', b"\x00"))
    write("safetensors", "big-dim.safetensors",
          entry('{"dtype":"U8","shape":[18446744073709551616],"data_offsets":[0,1]}', b"\x00"))
    write("safetensors", "9-dims.safetensors",
          entry('{"dtype":"U8","shape":[1,1,1,1,1,1,1,1,1],"data_offsets":[0,1]}', b"\x00"))
    write("safetensors", "numel-overflow.safetensors",
          entry('{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}'))
    write("safetensors", "bytes-overflow.safetensors",
          entry('{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,8]}'))
    write("safetensors", "span-overflow.safetensors",
          entry('{"dtype":"U8","shape":[0,4294967296,4294967296],"data_offsets":[0,0]}', b""))
    write("safetensors", "offsets-reversed.safetensors",
          entry('{"dtype":"U8","shape":[0],"data_offsets":[4,0]}'))
    write("safetensors", "offsets-3.safetensors",
          entry('{"dtype":"U8","shape":[4],"data_offsets":[0,4,4]}'))
    write("safetensors", "size-mismatch.safetensors",
          entry('{"dtype":"F32","shape":[2],"data_offsets":[0,4]}'))
    write("safetensors", "gap.safetensors",
          raw_header('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                     '"b":{"dtype":"U8","shape":[1],"data_offsets":[2,3]}}', b"\x00" * 3))
    write("safetensors", "overlap.safetensors",
          raw_header('{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},'
                     '"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}', b"\x00" * 3))
    write("safetensors", "name-twice.safetensors",
          raw_header('{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},'
                     '"a":{"dtype":"U8","shape":[1],"data_offsets":[1,2]}}', b"\x00" * 2))
    write("safetensors", "metadata-twice.safetensors",
          raw_header('{"__metadata__":{},"__metadata__":{}}'))
    write("safetensors", "metadata-number.safetensors",
          raw_header('{"__metadata__":{"epoch":3}}'))
    write("safetensors", "metadata-key-twice.safetensors",
          raw_header('{"__metadata__":{"k":"a","k":"b"}}'))
    write("safetensors", "entry-not-object.safetensors", entry("[]"))
    write("safetensors", "literal.safetensors", entry("true"))


# JSON texts for the reader alone.

def json_corpus():
    clean("json")
    texts = {
        "object": '{"a": [1, -2.5e+3, 0, -0, true, false, null], "b": {"c": "d"}}',
        "nested": "[" * 40 + "]" * 40,
        "escapes": r'["\" \\ \/ \b \f \n \r \t \u00e9 \ud83d\ude00 \u2603"]',
        "numbers": "[0, 1, 18446744073709551615, 18446744073709551616, "
                   "-18446744073709551615, 123456789012345678901234567890, 1.5, 1e5, "
                   "1E-5, 0.0e0, -0.5]",
        "utf8": '{"\u00e9t\u00e9": "\U0001f600\u2603"}',
        "whitespace": ' \t\r\n[ 1 , { } , [ ] ] \n',
        "string": '"plain"',
        "number": "42",
        # Broken texts.
        "leading-zero": "[01]",
        "dot-no-digit": "[1.]",
        "exponent-no-digit": "[1e+]",
        "minus-alone": "[-]",
        "trailing-comma-array": "[1,]",
        "trailing-comma-object": '{"a":1,}',
        "missing-colon": '{"a" 1}',
        "unterminated-array": "[1, 2",
        "unterminated-string": '"abc',
        "unterminated-escape": '"abc\\',
        "bad-escape": r'"\q"',
        "short-unicode": r'"\u12"',
        "lone-high-surrogate": r'"\ud800"',
        "lone-low-surrogate": r'"\udc00"',
        "high-then-bad": r'"\ud800\u0041"',
        "nul-escape": r'"\u0000"',
        "control": '"a\tb"',
        "trailing": "[] []",
        "single-quote": "['a']",
        "empty": "",
    }
    for name, text in texts.items():
        write("json", name + ".json", text.encode())
    write("json", "bad-utf8.json", b'["\xc3\x28"]')
    write("json", "nul-byte.json", b'["a\x00b"]')
    write("json", "overlong-utf8.json", b'["\xc0\xaf"]')


# torch.save's files: written by PyTorch itself (Debian's python3-torch),
# then broken by hand.

def torch_bytes(obj, legacy=False):
    import torch
    buf = io.BytesIO()
    torch.save(obj, buf, _use_new_zipfile_serialization=not legacy)
    return buf.getvalue()


class _Evil:
    """Pickles as a call of os.system, which the reader must refuse."""

    def __reduce__(self):
        return (os.system, ("true",))


def pickle_v2(body):
    """A protocol 2 pickle: PROTO 2, `body`, STOP."""
    return b"\x80\x02" + body + b"."


def stored_zip(members):
    """A zip archive of stored members, as torch's writer makes them."""
    import zipfile
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as z:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            z.writestr(info, data)
    return buf.getvalue()


def torch_corpus():
    import collections
    import torch
    torch.manual_seed(20261206)
    clean("torch")
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.ReLU(), torch.nn.Linear(2, 1))
    opt = torch.optim.SGD(net.parameters(), lr=0.1, momentum=0.9)
    net(torch.randn(4, 3)).sum().backward()
    opt.step()
    base = torch.arange(12.0)
    mixed = {"f32": torch.randn(2, 3), "f64": torch.randn(3, dtype=torch.float64),
             "i64": torch.tensor([1, -2, 2**40]), "bool": torch.tensor([True, False]),
             "half": torch.tensor([1.5, -2.0, 65504.0], dtype=torch.half),
             "bf16": torch.tensor([1.5, -3.0], dtype=torch.bfloat16),
             "u8": torch.tensor([0, 255], dtype=torch.uint8), "scalar": torch.tensor(3.5),
             "empty": torch.zeros(0, 4), "view": base[2:8].view(2, 3), "t": base.view(3, 4).t(),
             "base": base, "nested": {"x": [1, 2.5, None, "s", (3, True), float("nan")]}}
    write("torch", "state-dict.pt", torch_bytes(net.state_dict()))
    write("torch", "state-dict-legacy.pt", torch_bytes(net.state_dict(), legacy=True))
    write("torch", "optimizer.pt", torch_bytes(opt.state_dict()))
    write("torch", "mixed.pt", torch_bytes(mixed))
    write("torch", "mixed-legacy.pt", torch_bytes(mixed, legacy=True))
    write("torch", "parameter.pt", torch_bytes(torch.nn.Parameter(torch.ones(2))))
    write("torch", "ordered.pt", torch_bytes(collections.OrderedDict(a=torch.ones(1), b=2)))
    evil = torch_bytes({"w": torch.ones(1), "x": _Evil()})
    write("torch", "os-system.pt", evil)
    write("torch", "os-system-legacy.pt", torch_bytes({"x": _Evil()}, legacy=True))
    small = torch_bytes({"w": torch.ones(2)})
    write("torch", "truncated-half.pt", small[:len(small) // 2])
    write("torch", "truncated-end.pt", small[:-1])
    legacy = torch_bytes({"w": torch.ones(2)}, legacy=True)
    write("torch", "legacy-truncated.pt", legacy[:-3])
    # storage sizes that lie
    write("torch", "legacy-size.pt", legacy[:-16] + struct.pack("<q", 1 << 60) + legacy[-8:])
    # hand-made pickles inside a zip: an unset memo slot, a deep nest, a
    # list inside itself, a tensor reaching past its storage
    loop = pickle_v2(b"]q\x00h\x00a")
    deep = pickle_v2(b"]" * 200 + b"a" * 199)
    unset = pickle_v2(b"h\x07")
    # lists of two references to the last one: 2**60 paths to walk
    shared = pickle_v2(b"]q\x000" + b"(h\x00h\x00lq\x000" * 60 + b"h\x00")
    # one key set 2,000 times
    keys = pickle_v2(b"}(" + b"X\x01\x00\x00\x00kK\x01" * 2000 + b"u")
    nul = pickle_v2(b"X\x03\x00\x00\x00a\x00b")
    for name, pkl in (("memo-loop", loop), ("deep", deep), ("unset-memo", unset),
                      ("shared", shared), ("same-key", keys), ("nul", nul)):
        write("torch", name + ".pt", stored_zip([("archive/data.pkl", pkl)]))
    over = (b"ctorch._utils\n_rebuild_tensor_v2\n((X\x07\x00\x00\x00storage"
            b"ctorch\nFloatStorage\nX\x01\x00\x00\x000X\x03\x00\x00\x00cpuK\x02tQ"
            b"K\x00K\x05\x85K\x01\x85\x89ccollections\nOrderedDict\n)RtR")
    write("torch", "past-storage.pt",
          stored_zip([("archive/data.pkl", pickle_v2(over)),
                      ("archive/data/0", struct.pack("<2f", 1, 2))]))
    write("torch", "short-storage.pt",
          stored_zip([("archive/data.pkl", pickle_v2(over.replace(b"K\x05\x85", b"K\x02\x85"))),
                      ("archive/data/0", struct.pack("<f", 1))]))
    write("torch", "not-torch.pt", b"hello, world")


def main():
    cifar_corpus()
    idx_corpus()
    safetensors_corpus()
    json_corpus()
    torch_corpus()
    total = 0
    for root, _, files in os.walk(CORPUS):
        total += sum(os.path.getsize(os.path.join(root, f)) for f in files)
    print("corpus: %d bytes in %s" % (total, CORPUS))
    return 0


if __name__ == "__main__":
    sys.exit(main())
