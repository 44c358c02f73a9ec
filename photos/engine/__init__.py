"""ID-photo engine: bytes and plain parameters in, an ID photo, measurements and typed errors out.

Pure Python (no Django). ``make_id_photo`` composes decode → faces → matte → subject (is
it a photographed person?) → fit → background → retouch → encode/label/layout/preview;
models load once per process through ``photos.engine.models``. The names below are
imported on first use, so importing ``photos.engine.errors`` in a web process does not
pull in OpenCV.
"""

__all__ = ["Band", "PhotoRequest", "PhotoResult", "make_id_photo"]


def __getattr__(name: str):
    if name in ("Band", "PhotoRequest"):
        from photos.engine import params

        return getattr(params, name)
    if name in ("PhotoResult", "make_id_photo"):
        from photos.engine import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module 'photos.engine' has no attribute {name!r}")
