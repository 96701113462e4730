"""Model files, one job per module (``mlpkit.modelfile`` is the public face of the first five).

- :mod:`.errors`: :class:`ModelFileError`, the one exception a file that cannot be loaded raises,
  naming the file and the field at fault.
- :mod:`.jsontext`: the JSON document parsed within bounds (size, nesting depth).
- :mod:`.archive`: the zip archive's members and ``.npy`` headers checked against the file before
  anything is decompressed or allocated; then the arrays read.
- :mod:`.integrity`: the SHA-256 checksum and the optional HMAC-SHA256 signature.
- :mod:`.atomic`: atomic writes (temporary file, rename, directory fsync; stale temporary files
  of killed writers removed).
- :mod:`.container`: the format itself (``write``/``read``), knowing nothing of models.
- :mod:`.schema` and :mod:`.fields`: a small schema language and the documents' schemas (types,
  ranges, lengths).
- :mod:`.plan`: what a document implies (array shapes, from the layers' parameter specs, built
  without allocating) and the checks on the rebuilt model.

Nothing here imports pickle: arrays are read with ``allow_pickle=False`` and objects are built
from registered names only. This package's ``__init__`` imports nothing, so
``mlpkit.modelfile`` (imported by the network) may import :mod:`.container` without a circle.
"""
