"""What one training step of a layer allocates, measured with tracemalloc: the tests' check
that layers reuse their workspaces instead of allocating batch-sized arrays every step."""

import tracemalloc


def step_peak(layer, x, dy, warmup: int = 2) -> int:
    """Bytes allocated at the peak of one ``forward(x, training=True)`` + ``backward(dy)``
    after ``warmup`` steps have made the layer's workspaces."""
    for _ in range(warmup):
        layer.forward(x, training=True)
        layer.backward(dy)
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        layer.forward(x, training=True)
        layer.backward(dy)
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
