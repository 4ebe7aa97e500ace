"""Benchmark BPETokenizer against HuggingFace tokenizers and sentencepiece.

Every tool trains a BPE model of the same vocabulary size on the same documents and then
encodes all of them; each (tool, vocab size) runs in a fresh subprocess so that the peak
resident memory (ru_maxrss) is its own. Like is compared with like: skembed runs in
char-level mode with the pre-tokenizer ``\\w+|[^\\w\\s]+`` and an end-of-word marker;
HuggingFace uses the same split (its ``Whitespace`` pre-tokenizer) with
``end_of_word_suffix="</w>"``; sentencepiece splits on whitespace only (its own design).
Both skembed and HuggingFace use min_frequency=2 and both cores.

With ``--defaults``, each tool runs as a user would first write it:
``BPETokenizer(vocab_size=V)`` (char-level with ``"</w>"``, ``min_frequency=2``, no
lowercasing, one thread) against HuggingFace's ``Tokenizer(models.BPE())`` with the
``Whitespace`` pre-tokenizer and ``BpeTrainer(vocab_size=V)`` (no end-of-word suffix,
``min_frequency=0``, no lowercasing, all cores). Both split words with ``\\w+|[^\\w\\s]+``.

    python benchmarks/bench_bpe.py --limit 50000            # quick look
    flock /tmp/skembed-bench.lock python benchmarks/bench_bpe.py --readme benchmarks/README.md
    flock /tmp/skembed-bench.lock python benchmarks/bench_bpe.py --defaults --vocab-sizes 16000 \
        --tools skembed huggingface --readme benchmarks/README.md

``--readme`` replaces the "## BPE" section of that file with the table.
"""

import argparse
import json
import lzma
import os
import resource
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "data", "corpus_en.txt.xz")
TOOLS = ("skembed", "huggingface", "sentencepiece")


def read_documents(path, limit):
    opener = lzma.open if path.endswith(".xz") else open
    documents = []
    with opener(path, "rt", encoding="utf-8") as file:
        for line in file:
            documents.append(line.rstrip("\n"))
            if limit and len(documents) >= limit:
                break
    return documents


def run_skembed(documents, vocab_size, n_jobs, defaults=False):
    sys.path.insert(0, os.path.join(HERE, ".."))
    from skembed.bpe import BPETokenizer

    if defaults:
        bpe = BPETokenizer(vocab_size=vocab_size)
    else:
        bpe = BPETokenizer(vocab_size=vocab_size, min_frequency=2, n_jobs=n_jobs)
    start = time.perf_counter()
    bpe.fit(documents)
    train = time.perf_counter() - start
    start = time.perf_counter()
    tokens = bpe.transform(documents)
    encode = time.perf_counter() - start
    return train, encode, sum(map(len, tokens)), len(bpe.vocabulary_)


def run_huggingface(documents, vocab_size, n_jobs, defaults=False):
    from tokenizers import Tokenizer, models, pre_tokenizers, trainers

    if defaults:
        # The setup of HuggingFace's quicktour: BPE model, Whitespace pre-tokenizer, trainer
        # defaults but for the vocabulary size (its threads use every core).
        tokenizer = Tokenizer(models.BPE())
        trainer = trainers.BpeTrainer(vocab_size=vocab_size, show_progress=False)
    else:
        tokenizer = Tokenizer(models.BPE(end_of_word_suffix="</w>"))
        trainer = trainers.BpeTrainer(
            vocab_size=vocab_size, min_frequency=2, end_of_word_suffix="</w>",
            show_progress=False,
        )
    tokenizer.pre_tokenizer = pre_tokenizers.Whitespace()
    start = time.perf_counter()
    tokenizer.train_from_iterator(documents, trainer, length=len(documents))
    train = time.perf_counter() - start
    start = time.perf_counter()
    encodings = tokenizer.encode_batch(documents)
    encode = time.perf_counter() - start
    return train, encode, sum(len(e.ids) for e in encodings), tokenizer.get_vocab_size()


def run_sentencepiece(documents, vocab_size, n_jobs, defaults=False):
    import io

    import sentencepiece as spm

    model = io.BytesIO()
    start = time.perf_counter()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(documents), model_writer=model, model_type="bpe",
        vocab_size=vocab_size, num_threads=n_jobs, character_coverage=1.0,
        max_sentence_length=1 << 20, minloglevel=2, input_sentence_size=0,
    )
    train = time.perf_counter() - start
    processor = spm.SentencePieceProcessor(model_proto=model.getvalue())
    start = time.perf_counter()
    pieces = processor.encode(documents, num_threads=n_jobs)
    encode = time.perf_counter() - start
    return train, encode, sum(map(len, pieces)), processor.get_piece_size()


def worker(tool, vocab_size, corpus, limit, n_jobs, defaults):
    documents = read_documents(corpus, limit)
    n_words = sum(len(document.split()) for document in documents)
    runner = {"skembed": run_skembed, "huggingface": run_huggingface,
              "sentencepiece": run_sentencepiece}[tool]
    train, encode, n_tokens, size = runner(documents, vocab_size, n_jobs, defaults)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"tool": tool, "vocab_size": vocab_size, "train_s": train,
                      "encode_s": encode, "n_words": n_words, "n_tokens": n_tokens,
                      "learned_vocab": size, "peak_mb": peak_mb}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="first N documents (0: all)")
    parser.add_argument("--vocab-sizes", type=int, nargs="+", default=[8000, 32000])
    parser.add_argument("--tools", nargs="+", default=list(TOOLS), choices=TOOLS)
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--defaults", action="store_true",
                        help="each tool's default settings instead of like-for-like ones")
    parser.add_argument("--readme", help="write the table into this markdown file")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.corpus, args.limit, args.n_jobs,
               args.defaults)
        return
    results = {}
    for vocab_size in args.vocab_sizes:
        for tool in args.tools:
            command = [sys.executable, __file__, "--worker", tool, str(vocab_size),
                       "--corpus", args.corpus, "--limit", str(args.limit),
                       "--n-jobs", str(args.n_jobs)] + ["--defaults"] * args.defaults
            output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
            result = json.loads(output.strip().splitlines()[-1])
            results[tool, vocab_size] = result
            print(json.dumps(result), file=sys.stderr)
    table = format_table(results, args)
    print(table)
    if args.readme:
        write_section(args.readme, table, args.defaults)


def format_table(results, args):
    rows = [
        "| vocab | tool | train (s) | train vs HF | encode (M words/s) | encode vs HF "
        "| peak memory (MB) | tokens/word | tokens/word vs HF |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for (tool, vocab_size), r in results.items():
        hf = results.get(("huggingface", vocab_size))
        speed = r["n_words"] / r["encode_s"] / 1e6
        per_word = r["n_tokens"] / r["n_words"]
        if hf:
            hf_speed = hf["n_words"] / hf["encode_s"] / 1e6
            hf_per_word = hf["n_tokens"] / hf["n_words"]
            ratios = (f"{r['train_s'] / hf['train_s']:.2f}x", f"{speed / hf_speed:.2f}x",
                      f"{per_word / hf_per_word:.3f}x")
        else:
            ratios = ("", "", "")
        rows.append(
            f"| {vocab_size:,} | {tool} | {r['train_s']:.1f} | {ratios[0]} | {speed:.2f} "
            f"| {ratios[1]} | {r['peak_mb']:.0f} | {per_word:.3f} | {ratios[2]} |"
        )
    n_words = next(iter(results.values()))["n_words"]
    limit = f" --limit {args.limit}" if args.limit else ""
    options = " --defaults" if args.defaults else f" --n-jobs {args.n_jobs}"
    vocab = " --vocab-sizes " + " ".join(map(str, args.vocab_sizes))
    tools = "" if tuple(args.tools) == TOOLS else " --tools " + " ".join(args.tools)
    command = (f"flock /tmp/skembed-bench.lock python benchmarks/bench_bpe.py{limit}{vocab}"
               f"{tools}{options} --readme benchmarks/README.md")
    return "\n".join(rows) + (
        f"\n\n{n_words:,} whitespace-separated words; 'words/s' and 'tokens/word' count those. "
        f"Command: `{command}`\n"
    )


def write_section(path, table, defaults=False):
    heading = "## BPE: default settings" if defaults else "## BPE"
    text = open(path, encoding="utf-8").read() if os.path.exists(path) else "# Benchmarks\n"
    section = f"{heading}\n\n{__doc__.split(chr(10) + chr(10))[2 if defaults else 1]}\n\n{table}"
    if heading + "\n" in text:
        start = text.index(heading + "\n")
        following = text.find("\n## ", start + len(heading))
        end = len(text) if following < 0 else following + 1
        text = text[:start] + section + ("\n" + text[end:] if following >= 0 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    with open(path, "w", encoding="utf-8") as file:
        file.write(text)


if __name__ == "__main__":
    main()
