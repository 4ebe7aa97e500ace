"""Build the tiny random-weight BERT in ``tests/data/tiny_bert`` and its reference outputs.

Run once, in an environment with torch, transformers, sentence-transformers and onnx (never in
the test run, which only needs onnxruntime and tokenizers)::

    python benchmarks/make_tiny_bert.py

It writes, in ``tests/data``:

``tiny_bert/tokenizer.json``
    A WordPiece tokenizer (BERT normalizer: lower-case, accents stripped) with a small
    vocabulary learned from ``sotu_sample.txt`` plus a few sentences about banks and rivers.
``tiny_bert/config.json``
    The transformers ``BertConfig`` of the model: 2 layers, hidden size 32, 4 heads.
``tiny_bert/model.onnx``
    The model with seeded random weights, exported by ``torch.onnx.export`` with inputs
    ``input_ids``, ``attention_mask``, ``token_type_ids`` and output ``last_hidden_state``,
    batch and sequence axes dynamic.
``tiny_bert_reference.json``
    Reference outputs computed by sentence-transformers (a ``Transformer`` module over the
    same weights in PyTorch, then ``Pooling`` and ``Normalize``): the tokens and last-layer
    vectors of each sentence, and the mean, CLS and max pooled vectors, unnormalized and
    L2-normalized, for ``max_length=16`` so that one sentence is truncated.
"""

import json
import pathlib
import tempfile

import numpy as np
import torch
from sentence_transformers import SentenceTransformer, models
from tokenizers import Tokenizer, decoders, normalizers, pre_tokenizers, processors, trainers
from tokenizers.models import WordPiece
from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

HERE = pathlib.Path(__file__).resolve().parents[1] / "tests" / "data"
OUT = HERE / "tiny_bert"
VOCAB_SIZE = 1000
MAX_LENGTH = 16
SPECIAL = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
EXTRA_TEXT = [
    "She sat on the bank of the river and watched the water.",
    "He paid the money into his account at the bank.",
    "The river bank was muddy after the rain.",
    "The bank raised its interest rate on loans.",
    "The movie was good, the acting was bad.",
] * 20

SENTENCES = [
    "She sat on the bank of the river.",
    "He deposited the money at the bank.",
    "A bank.",
    "",
    "Zebras quizzically juxtapose xylophones!",
    # Longer than MAX_LENGTH tokens: truncated.
    "The economy grew, wages rose and the bank lent more money to families "
    "and small businesses across the whole country than ever before.",
]


def build_tokenizer():
    tokenizer = Tokenizer(WordPiece(unk_token="[UNK]"))
    tokenizer.normalizer = normalizers.BertNormalizer(lowercase=True, strip_accents=True)
    tokenizer.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    tokenizer.decoder = decoders.WordPiece()
    trainer = trainers.WordPieceTrainer(vocab_size=VOCAB_SIZE, special_tokens=SPECIAL)
    lines = (HERE / "sotu_sample.txt").read_text(encoding="utf-8").splitlines()
    tokenizer.train_from_iterator(lines + EXTRA_TEXT, trainer=trainer)
    # The trainer numbers some tokens in hash order; renumber them in a fixed order so that
    # a rerun writes the same files.
    learned = sorted(set(tokenizer.get_vocab()) - set(SPECIAL))
    tokenizer.model = WordPiece(
        {token: i for i, token in enumerate(SPECIAL + learned)}, unk_token="[UNK]"
    )
    cls, sep = tokenizer.token_to_id("[CLS]"), tokenizer.token_to_id("[SEP]")
    tokenizer.post_processor = processors.TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", cls), ("[SEP]", sep)],
    )
    return tokenizer


def build_model(vocab_size):
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=vocab_size,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        intermediate_size=64,
        max_position_embeddings=64,
        type_vocab_size=2,
        initializer_range=0.2,
        pad_token_id=0,
        attn_implementation="eager",
    )
    model = BertModel(config, add_pooling_layer=False).eval()
    return config, model


class _LastHiddenState(torch.nn.Module):
    """The encoder called with keyword arguments, returning only its last layer."""

    def __init__(self, model):
        super().__init__()
        self.model = model

    def forward(self, input_ids, attention_mask, token_type_ids):
        return self.model(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state


def export_onnx(model, path):
    ids = torch.tensor([[2, 10, 11, 12, 3], [2, 13, 3, 0, 0]])
    mask = (ids != 0).long()
    types = torch.zeros_like(ids)
    dynamic = {0: "batch", 1: "sequence"}
    torch.onnx.export(
        _LastHiddenState(model),
        (ids, mask, types),
        str(path),
        input_names=["input_ids", "attention_mask", "token_type_ids"],
        output_names=["last_hidden_state"],
        dynamic_axes={
            "input_ids": dynamic,
            "attention_mask": dynamic,
            "token_type_ids": dynamic,
            "last_hidden_state": dynamic,
        },
        opset_version=17,
        dynamo=False,
    )


def reference_outputs(model_dir):
    """Tokens, token vectors and pooled vectors by sentence-transformers in PyTorch."""
    transformer = models.Transformer(str(model_dir), max_seq_length=MAX_LENGTH)
    dim = transformer.get_word_embedding_dimension()
    result = {"max_length": MAX_LENGTH, "sentences": SENTENCES}
    for mode in ["mean", "cls", "max"]:
        pooling = models.Pooling(dim, pooling_mode=mode)
        st = SentenceTransformer(modules=[transformer, pooling], device="cpu")
        pooled = st.encode(SENTENCES, batch_size=4, convert_to_numpy=True)
        result[f"pooled_{mode}"] = pooled.tolist()
        st = SentenceTransformer(modules=[transformer, pooling, models.Normalize()], device="cpu")
        result[f"pooled_{mode}_normalized"] = st.encode(SENTENCES, batch_size=4).tolist()
    st = SentenceTransformer(modules=[transformer, models.Pooling(dim)], device="cpu")
    tokens = st.encode(SENTENCES, output_value="token_embeddings", batch_size=4)
    result["token_vectors"] = [t.cpu().numpy().tolist() for t in tokens]
    hf_tokenizer = transformer.tokenizer
    result["tokens"] = [
        hf_tokenizer.convert_ids_to_tokens(
            hf_tokenizer(s, truncation=True, max_length=MAX_LENGTH)["input_ids"]
        )
        for s in SENTENCES
    ]
    result["truncated"] = [
        len(hf_tokenizer(s)["input_ids"]) > MAX_LENGTH for s in SENTENCES
    ]
    return result


def main():
    OUT.mkdir(exist_ok=True)
    tokenizer = build_tokenizer()
    tokenizer.save(str(OUT / "tokenizer.json"))
    config, model = build_model(tokenizer.get_vocab_size())
    config.save_pretrained(OUT)
    export_onnx(model, OUT / "model.onnx")
    with tempfile.TemporaryDirectory() as tmp:
        # sentence-transformers loads the PyTorch weights and a transformers tokenizer; both
        # stay out of the repository, which ships only the ONNX export.
        model.save_pretrained(tmp)
        PreTrainedTokenizerFast(
            tokenizer_object=Tokenizer.from_file(str(OUT / "tokenizer.json")),
            unk_token="[UNK]", pad_token="[PAD]", cls_token="[CLS]", sep_token="[SEP]",
            mask_token="[MASK]", model_max_length=config.max_position_embeddings,
        ).save_pretrained(tmp)
        result = reference_outputs(tmp)
    for sentence, tokens in zip(SENTENCES, result["tokens"]):
        print(len(tokens), tokens)
    (HERE / "tiny_bert_reference.json").write_text(json.dumps(result, indent=1) + "\n")
    sizes = {p.name: p.stat().st_size for p in OUT.iterdir()}
    print(sizes, np.asarray(result["pooled_mean"]).shape)


if __name__ == "__main__":
    main()
