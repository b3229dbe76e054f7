"""Malformed GGUF files made from a real model, for fault tests.

Each variant copies the real header (patched or cut) and keeps the file's full size
as a sparse tail where the variant does not change it, so 60+ variants of a 98 MB
model cost a few MB of disk. Offsets come from gguf's own reader, so a variant hits
exactly the field it names.
"""

from __future__ import annotations

import random
import struct
from dataclasses import dataclass
from pathlib import Path

import gguf

U32, U64 = "<I", "<Q"


@dataclass(frozen=True)
class Layout:
    """Byte offsets of the parts of a GGUF header that variants patch."""

    size: int
    data_start: int
    n_tensors: int
    n_kv: int
    offsets: dict[str, int]  # named positions (see :func:`layout`)


def layout(path: Path) -> Layout:
    """Find the positions of header fields in ``path`` with gguf's reader."""
    reader = gguf.GGUFReader(path)
    base = reader.data.ctypes.data

    def at(part: object) -> int:
        return int(part.__array_interface__["data"][0]) - base  # type: ignore[attr-defined]

    ctx = reader.fields[f"{reader.fields['general.architecture'].contents()}.context_length"]
    tokens = reader.fields["tokenizer.ggml.tokens"]
    arch = reader.fields["general.architecture"]
    t0, t1 = reader.tensors[0], reader.tensors[1]
    offsets = {
        "first_key_len": at(arch.parts[0]),
        "arch_value_len": at(arch.parts[3]),
        "ctx_type": at(ctx.parts[2]),
        "tokens_elem_type": at(tokens.parts[3]),
        "tokens_count": at(tokens.parts[4]),
        "tokens_first_string": at(tokens.parts[6]) if len(tokens.parts) > 6 else at(tokens.parts[4]) + 16,
        "merges": reader.fields["tokenizer.ggml.merges"].offset,
        "template": reader.fields["tokenizer.chat_template"].offset,
        "t0": t0.field.offset,
        "t0_name": at(t0.field.parts[1]),
        "t0_ndims": at(t0.field.parts[2]),
        "t0_dims": at(t0.field.parts[3]),
        "t0_type": at(t0.field.parts[4]),
        "t0_offset": at(t0.field.parts[5]),
        "t1_offset": at(t1.field.parts[5]),
        "t0_data": t0.data_offset,
    }  # fmt: skip
    return Layout(
        path.stat().st_size, t0.data_offset, len(reader.tensors), len(reader.fields) - 3, offsets
    )


Patch = tuple[int, bytes]


@dataclass(frozen=True)
class Variant:
    """One damaged file: the bytes to keep, the patches, and the length to pad to."""

    name: str
    keep: int  # bytes of the original to copy (from the start)
    patches: tuple[Patch, ...] = ()
    pad_to: int | None = None  # sparse-extend to this size (None: keep == size)
    random_tail: int = 0  # random bytes written right after `keep`

    def write(self, source: Path, dest: Path) -> Path:
        with source.open("rb") as src, dest.open("wb") as out:
            out.write(src.read(self.keep))
            if self.random_tail:
                out.write(random.Random(self.name).randbytes(self.random_tail))
            for at, data in self.patches:
                out.seek(at)
                out.write(data)
            if self.pad_to is not None:
                out.truncate(self.pad_to)
        return dest


def _u32(v: int) -> bytes:
    return struct.pack(U32, v)


def _u64(v: int) -> bytes:
    return struct.pack(U64, v)


def variants(lay: Layout) -> list[Variant]:
    """Sixty-odd malformed variants of the file described by ``lay``."""
    o, size, head = lay.offsets, lay.size, lay.data_start

    def header(name: str, *patches: Patch) -> Variant:
        return Variant(name, head, patches, pad_to=size)

    cuts = {
        "magic": 2, "version": 6, "tensor_count": 12, "kv_count": 20,
        "first_key": o["first_key_len"] + 12, "arch_value": o["arch_value_len"] + 10,
        "ctx_value": o["ctx_type"] + 6, "tokens_header": o["tokens_count"] + 4,
        "vocab_strings": o["tokens_first_string"] + 5000, "merges": o["merges"] + 100_000,
        "chat_template": o["template"] + 200, "tensor_info_name": o["t0_name"] + 5,
        "tensor_info_dims": o["t0_dims"] + 4, "tensor_info_offset": o["t0_offset"] + 3,
        "before_data": head - 1, "at_data": head, "first_tensor": o["t0_data"] + 1000,
        "half": size // 2, "one_byte_short": size - 1,
    }  # fmt: skip
    out = [Variant(f"truncated_in_{k}", n) for k, n in cuts.items()]
    for magic in (b"GGML", b"\0\0\0\0", b"FUGG", b"gguf"):
        out.append(header(f"magic_{magic!r}", (0, magic)))
    for version in (0, 1, 4, 99, 0x03000000, 0xFFFFFFFF):
        out.append(header(f"version_{version:#x}", (4, _u32(version))))
    for n in (0, lay.n_tensors + 1, lay.n_tensors - 1, 2**63, 2**64 - 1):
        out.append(header(f"tensor_count_{n}", (8, _u64(n))))
    for n in (0, lay.n_kv + 1, 2**40, 2**64 - 1):
        out.append(header(f"kv_count_{n}", (16, _u64(n))))
    meta = {
        "ctx_type_f32": (o["ctx_type"], _u32(6)), "ctx_type_unknown": (o["ctx_type"], _u32(13)),
        "ctx_type_string": (o["ctx_type"], _u32(8)), "ctx_type_array": (o["ctx_type"], _u32(9)),
        "tokens_elem_u32": (o["tokens_elem_type"], _u32(4)),
        "tokens_elem_array": (o["tokens_elem_type"], _u32(9)),
        "tokens_count_huge": (o["tokens_count"], _u64(2**62)),
        "tokens_count_short": (o["tokens_count"], _u64(10)),
        "key_len_huge": (o["first_key_len"], _u64(2**60)), "key_len_zero": (o["first_key_len"], _u64(0)),
        "arch_len_huge": (o["arch_value_len"], _u64(2**50)), "arch_len_zero": (o["arch_value_len"], _u64(0)),
        "vocab_not_utf8": (o["tokens_first_string"] + 8, b"\xff\xfe\xfd"),
    }  # fmt: skip
    out += [header(name, patch) for name, patch in meta.items()]
    tensors = {
        "ndims_0": (o["t0_ndims"], _u32(0)), "ndims_5": (o["t0_ndims"], _u32(5)),
        "ndims_255": (o["t0_ndims"], _u32(255)), "dim_0": (o["t0_dims"], _u64(0)),
        "dim_huge": (o["t0_dims"], _u64(2**62)), "dim_not_block_multiple": (o["t0_dims"], _u64(577)),
        "type_99": (o["t0_type"], _u32(99)), "type_40": (o["t0_type"], _u32(40)),
        "type_max": (o["t0_type"], _u32(0xFFFFFFFF)), "offset_misaligned": (o["t0_offset"], _u64(1)),
        "offset_beyond_file": (o["t0_offset"], _u64(2**60)),
        "offset_at_end": (o["t0_offset"], _u64(size - head)),
        "overlapping_tensors": (o["t1_offset"], _u64(0)),
        "name_len_huge": (o["t0"], _u64(2**61)),
    }  # fmt: skip
    out += [header(f"tensor_{name}", patch) for name, patch in tensors.items()]
    out.append(Variant("random_bytes_after_header", head, random_tail=1 << 20, pad_to=size))
    out.append(Variant("zeroed_tensor_data", head, pad_to=size))
    out.append(Variant("extra_bytes_at_end", head, pad_to=size + 4096))
    return out


def patched_field(source: Path, dest: Path, key: str, value: float) -> Path:
    """A copy of ``source`` with the metadata value ``key`` set to ``value`` (same type).

    Header and tensors stay well formed; only the hyperparameter changes, e.g. a zero
    ``llama.block_count`` or a NaN ``llama.attention.layer_norm_rms_epsilon``, which
    llama.cpp accepts at load and aborts on at the first decode.
    """
    import shutil

    import numpy as np

    reader = gguf.GGUFReader(source)
    field = reader.fields[key]
    part = field.parts[field.data[0]]
    offset = int(part.__array_interface__["data"][0]) - reader.data.ctypes.data
    data = np.array([value], dtype=part.dtype).tobytes()
    del reader, field, part
    shutil.copyfile(source, dest)
    with dest.open("r+b") as f:
        f.seek(offset)
        f.write(data)
    return dest
