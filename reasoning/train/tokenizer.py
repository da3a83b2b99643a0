"""The embedded model's tokenizer: a small byte-level BPE trained offline (the `tokenizers`
library) on the training items' own text, saved so `AutoTokenizer.from_pretrained(DIR)`
loads it.

Byte-level, so any text a family or a user writes (FOL symbols, fictional KG names, broken
Unicode) encodes without an unknown token; a few thousand merges make the families' closed
vocabularies (names, properties, connectives) single tokens, so an NLSat statement is about
as many tokens as words. Encoding adds a beginning-of-text token, as the backends expect
when no chat template applies.
"""

from __future__ import annotations

from collections.abc import Iterable

PAD, BOS, EOS = "<pad>", "<s>", "</s>"


def build_tokenizer(texts: Iterable[str], vocab_size: int = 2048):
    """A PreTrainedTokenizerFast with a byte-level BPE of `vocab_size` entries (including
    the 256 bytes and the three special tokens), trained on `texts` in their order
    (deterministic: the same texts give the same merges)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[PAD, BOS, EOS],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(texts, trainer=trainer)
    core.post_processor = processors.TemplateProcessing(
        single=f"{BOS} $A", pair=f"{BOS} $A $B", special_tokens=[(BOS, core.token_to_id(BOS))]
    )
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token=BOS,
        eos_token=EOS,
        pad_token=PAD,
        clean_up_tokenization_spaces=False,
        model_max_length=4096,
    )
