"""Build input items and content parts without writing dicts by hand.

::

    from openrouter.inputs import input_file, input_image, system, user

    input = [
        system("You are terse."),
        user("What is in this picture?", input_image("cat.png")),   # a path becomes a data URL
        user("Summarise this", input_file("https://example.com/report.pdf")),  # URLs pass through
    ]
    client.responses.send(model="openai/gpt-4o", input=input)

Sources: a ``str`` starting with ``http://``, ``https://`` or ``data:`` is a URL and is sent as
is; any other ``str`` or ``os.PathLike`` is a local file, read and sent inline as a base64
``data:`` URL; ``bytes`` are sent inline. The MIME type comes from the file name
(``mimetypes``), else from the first bytes (PNG, JPEG, GIF, WEBP, BMP, TIFF, HEIC/AVIF, PDF,
WAV, MP3, OGG, FLAC, MP4, ZIP), else ``mime_type=`` must say.
"""

from __future__ import annotations

import base64
import mimetypes
import os
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Union

from openrouter.components import (
    EasyInputMessage,
    FunctionCallOutputItem,
    InputAudio,
    InputAudioData,
    InputFile,
    InputImage,
    InputText,
    InputVideo,
)

if TYPE_CHECKING:
    from typing import TypeAlias

__all__ = [
    "ContentArg",
    "ContentLike",
    "Source",
    "assistant",
    "data_url",
    "developer",
    "function_call_output",
    "guess_mime_type",
    "input_audio",
    "input_file",
    "input_image",
    "input_text",
    "input_video",
    "message",
    "system",
    "user",
]

Source: TypeAlias = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview]
"""A URL (``http(s)://`` or ``data:``), a local path, or the raw bytes."""

Part: TypeAlias = InputText | InputImage | InputFile | InputAudio | InputVideo
ContentLike: TypeAlias = str | Part | Path
"""What message builders take: text, a part from this module, or a ``Path`` (an image if its
MIME type is ``image/*``, else a file)."""
ContentArg: TypeAlias = ContentLike | list[ContentLike] | tuple[ContentLike, ...]

ImageDetail: TypeAlias = Literal["auto", "high", "low", "original"]

_URL_PREFIXES = ("http://", "https://", "data:")

# Magic numbers of the formats models accept, checked in order; None in a pattern is a
# wildcard byte (RIFF containers carry their size there).
_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "image/png"),
    (0, b"\xff\xd8\xff", "image/jpeg"),
    (0, b"GIF87a", "image/gif"),
    (0, b"GIF89a", "image/gif"),
    (8, b"WEBP", "image/webp"),  # after b"RIFF" + size
    (8, b"WAVE", "audio/wav"),
    (0, b"BM", "image/bmp"),
    (0, b"II*\x00", "image/tiff"),
    (0, b"MM\x00*", "image/tiff"),
    (0, b"%PDF-", "application/pdf"),
    (0, b"ID3", "audio/mpeg"),
    (0, b"\xff\xfb", "audio/mpeg"),
    (0, b"\xff\xf3", "audio/mpeg"),
    (0, b"\xff\xf2", "audio/mpeg"),
    (0, b"OggS", "audio/ogg"),
    (0, b"fLaC", "audio/flac"),
    (0, b"PK\x03\x04", "application/zip"),
)
_FTYP_BRANDS = {
    b"heic": "image/heic",
    b"heix": "image/heic",
    b"mif1": "image/heif",
    b"avif": "image/avif",
    b"qt  ": "video/quicktime",
}


def guess_mime_type(data: bytes | None = None, filename: str | None = None) -> str | None:
    """The MIME type from ``filename``'s extension, else from ``data``'s first bytes."""
    if filename:
        guessed, _ = mimetypes.guess_type(filename, strict=False)
        if guessed and guessed != "application/octet-stream":  # ".bin" says nothing
            return guessed
    if data:
        head = bytes(data[:16])
        for offset, magic, mime in _SIGNATURES:
            if head[offset : offset + len(magic)] == magic:
                if offset == 8 and head[:4] != b"RIFF":
                    continue
                return mime
        if head[4:8] == b"ftyp":
            return _FTYP_BRANDS.get(head[8:12], "video/mp4")
    return None


def data_url(data: bytes | bytearray | memoryview, mime_type: str) -> str:
    """``data:<mime>;base64,<data>``."""
    return f"data:{mime_type};base64,{base64.b64encode(bytes(data)).decode('ascii')}"


def _is_url(source: object) -> bool:
    return isinstance(source, str) and source.lower().startswith(_URL_PREFIXES)


def _load(source: Source) -> tuple[bytes, str | None]:
    """(bytes, file name) of a path or of raw bytes."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return bytes(source), None
    path = Path(os.fspath(source))
    if not path.is_file():
        raise FileNotFoundError(
            f"{str(source)!r} is not a file (URLs must start with http://, https:// or data:)"
        )
    return path.read_bytes(), path.name


def _inline(
    source: Source, mime_type: str | None, filename: str | None, what: str
) -> tuple[str, str, str | None]:
    """(data URL, MIME type, file name) of a path or bytes."""
    data, name = _load(source)
    name = filename or name
    mime = mime_type or guess_mime_type(data, name)
    if mime is None:
        raise ValueError(
            f"Cannot tell the MIME type of this {what} (no known extension or signature); "
            "pass mime_type=..."
        )
    return data_url(data, mime), mime, name


def input_text(text: str) -> InputText:
    """An ``input_text`` part."""
    return InputText(text=text)


def input_image(
    source: Source, *, detail: ImageDetail = "auto", mime_type: str | None = None
) -> InputImage:
    """An ``input_image`` part from a URL, a path or bytes (sent as a ``data:`` URL).

    Raises ``ValueError`` if the data is not an image (by extension or signature) and no
    ``mime_type`` says otherwise, so a wrong file fails here rather than at the provider.
    """
    if _is_url(source):
        return InputImage(image_url=str(source), detail=detail)
    url, mime, _ = _inline(source, mime_type, None, "image")
    if not mime.startswith("image/"):
        raise ValueError(f"Not an image: the data looks like {mime}; use input_file() for it")
    return InputImage(image_url=url, detail=detail)


def input_file(
    source: Source, *, filename: str | None = None, mime_type: str | None = None
) -> InputFile:
    """An ``input_file`` part (PDFs and other documents).

    A URL is sent as ``file_url`` (a ``data:`` URL as ``file_data``); a path or bytes are sent
    inline as ``file_data`` with ``filename`` (the path's name, or ``file`` plus an extension
    from the MIME type for bytes).
    """
    if _is_url(source):
        url = str(source)
        if url.lower().startswith("data:"):
            return InputFile(file_data=url, filename=filename or _default_name(url[5:]))
        if filename is not None:
            return InputFile(file_url=url, filename=filename)
        return InputFile(file_url=url)
    url, mime, name = _inline(source, mime_type, filename, "file")
    return InputFile(file_data=url, filename=name or _default_name(mime))


def _default_name(mime: str) -> str:
    mime = mime.split(";", 1)[0].split(",", 1)[0]
    ext = mimetypes.guess_extension(mime, strict=False) or ""
    return f"file{ext}"


def input_audio(source: Source, *, format: Literal["mp3", "wav"] | None = None) -> InputAudio:
    """An ``input_audio`` part (base64 data; the API takes ``mp3`` and ``wav``)."""
    if _is_url(source):
        raise ValueError("input_audio takes a path or bytes: the API has no audio URLs")
    data, name = _load(source)
    if format is None:
        mime = guess_mime_type(data, name) or ""
        if mime in ("audio/mpeg", "audio/mp3"):
            format = "mp3"
        elif mime in ("audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave"):
            format = "wav"
        else:
            raise ValueError(f"Audio must be mp3 or wav (got {mime or 'unknown'}); pass format=")
    return InputAudio(
        input_audio=InputAudioData(data=base64.b64encode(data).decode("ascii"), format=format)
    )


def input_video(source: Source, *, mime_type: str | None = None) -> InputVideo:
    """An ``input_video`` part from a URL, a path or bytes (sent as a ``data:`` URL)."""
    if _is_url(source):
        return InputVideo(video_url=str(source))
    url, _, _ = _inline(source, mime_type, None, "video")
    return InputVideo(video_url=url)


def _part(value: ContentLike) -> Part:
    if isinstance(value, str):
        return InputText(text=value)
    if isinstance(value, Path):
        mime = guess_mime_type(None, value.name)
        if mime is None:
            with value.open("rb") as f:
                mime = guess_mime_type(f.read(16))
        if mime is not None and mime.startswith("image/"):
            return input_image(value)
        return input_file(value)
    if isinstance(value, (InputText, InputImage, InputFile, InputAudio, InputVideo)):
        return value
    raise TypeError(
        f"Message content must be str, a Path or an input part, not {type(value).__name__}"
    )


Role = Literal["user", "system", "developer", "assistant"]


def message(role: Role, *content: ContentArg) -> EasyInputMessage:
    """A message item. One string stays a string; anything else becomes a list of parts."""
    flat: list[Any] = []
    for value in content:
        # Parts are pydantic models, which are iterable too: only plain sequences flatten.
        if isinstance(value, (list, tuple)):
            flat.extend(value)
        else:
            flat.append(value)
    if not flat:
        raise ValueError("A message needs some content")
    if len(flat) == 1 and isinstance(flat[0], str):
        return EasyInputMessage(role=role, content=flat[0])
    return EasyInputMessage(role=role, content=[_part(v) for v in flat])


def user(*content: ContentArg) -> EasyInputMessage:
    """A user message: ``user("Hi")``, ``user("What is this?", input_image("cat.png"))``."""
    return message("user", *content)


def system(*content: ContentArg) -> EasyInputMessage:
    """A system message."""
    return message("system", *content)


def developer(*content: ContentArg) -> EasyInputMessage:
    """A developer message."""
    return message("developer", *content)


def assistant(*content: ContentArg) -> EasyInputMessage:
    """An assistant message (e.g. a few-shot example answer)."""
    return message("assistant", *content)


def function_call_output(
    call_id: str, output: str | Iterable[InputText | InputImage | InputFile]
) -> FunctionCallOutputItem:
    """The answer to a ``function_call`` (same ``call_id``): text, or text/image/file parts."""
    value: Any = output if isinstance(output, str) else list(output)
    return FunctionCallOutputItem(call_id=call_id, output=value)
