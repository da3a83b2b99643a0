"""Training the suite's own small reasoner (the embedded default model): a byte-level BPE
tokenizer and a LlamaForCausalLM trained on generated items from the training seed range.

`reasoning train` is the command; `train(TrainConfig(...), out_dir)` the function.
"""

from reasoning.train.trainer import TrainConfig, train

__all__ = ["TrainConfig", "train"]
