"""``openrouter.inputs``: parts and messages built without dicts, checked against the spec by
the emulator's schema validation (the conftest fails any test whose body the schema rejects)."""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path
from typing import Any

import pytest

from openrouter import OpenRouter, components
from openrouter.inputs import (
    assistant,
    data_url,
    developer,
    function_call_output,
    guess_mime_type,
    input_audio,
    input_file,
    input_image,
    input_text,
    input_video,
    message,
    system,
    user,
)
from openrouter.testing import Emulator, Reply

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 24
GIF = b"GIF89a" + b"\x00" * 24
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 16
PDF = b"%PDF-1.7\n" + b"\x00" * 24
WAV = b"RIFF\x24\x00\x00\x00WAVEfmt " + b"\x00" * 16
MP3 = b"ID3\x04\x00" + b"\x00" * 24


def _decode(url: str) -> tuple[str, bytes]:
    head, _, payload = url.partition(",")
    assert head.startswith("data:") and head.endswith(";base64")
    return head[5:-7], base64.b64decode(payload)


@pytest.mark.parametrize(
    ("data", "mime"),
    [
        (PNG, "image/png"),
        (JPEG, "image/jpeg"),
        (GIF, "image/gif"),
        (WEBP, "image/webp"),
        (PDF, "application/pdf"),
        (WAV, "audio/wav"),
        (MP3, "audio/mpeg"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 8, "image/heic"),
        (b"RIFF\x24\x00\x00\x00XXXX", None),  # a RIFF that is neither WEBP nor WAVE
        (b"just text", None),
    ],
)
def test_sniffing(data: bytes, mime: str | None) -> None:
    assert guess_mime_type(data) == mime


def test_extension_wins_over_sniffing() -> None:
    assert guess_mime_type(PNG, "photo.jpg") == "image/jpeg"
    assert guess_mime_type(PNG, "noext") == "image/png"


def test_input_image_sources(tmp_path: Path) -> None:
    url = input_image("https://example.com/cat.png", detail="high")
    assert url.to_dict() == {
        "type": "input_image",
        "image_url": "https://example.com/cat.png",
        "detail": "high",
    }
    assert input_image("data:image/png;base64,AAAA").image_url == "data:image/png;base64,AAAA"

    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    from_path = input_image(path)
    assert from_path.detail == "auto"
    assert from_path.image_url is not None
    assert _decode(from_path.image_url) == ("image/png", PNG)
    assert input_image(str(path)).image_url == from_path.image_url  # a str path works too

    unnamed = tmp_path / "upload.bin"  # the extension says nothing useful: sniffed
    unnamed.write_bytes(WEBP)
    assert input_image(unnamed).image_url is not None
    assert _decode(input_image(unnamed).image_url or "")[0] in ("image/webp",)

    noext = tmp_path / "upload"
    noext.write_bytes(GIF)
    assert _decode(input_image(noext).image_url or "")[0] == "image/gif"

    assert _decode(input_image(JPEG).image_url or "") == ("image/jpeg", JPEG)
    assert _decode(input_image(bytearray(PNG)).image_url or "")[0] == "image/png"


def test_input_image_rejects_what_is_not_an_image(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="Not an image"):
        input_image(PDF)
    with pytest.raises(ValueError, match="mime_type"):
        input_image(b"\x00\x01 unknown")
    assert _decode(input_image(b"\x00\x01", mime_type="image/x-raw").image_url or "")[0] == (
        "image/x-raw"
    )
    with pytest.raises(FileNotFoundError, match="not a file"):
        input_image(str(tmp_path / "missing.png"))
    with pytest.raises(FileNotFoundError):
        input_image("example.com/cat.png")  # no scheme: a (missing) path, not a URL


def test_input_file_sources(tmp_path: Path) -> None:
    assert input_file("https://example.com/r.pdf").to_dict() == {
        "type": "input_file",
        "file_url": "https://example.com/r.pdf",
    }
    assert input_file("https://example.com/r", filename="r.pdf").filename == "r.pdf"
    inline = input_file("data:application/pdf;base64,JVBERi0=")
    assert inline.file_data == "data:application/pdf;base64,JVBERi0="
    assert inline.filename == "file.pdf"

    path = tmp_path / "report.pdf"
    path.write_bytes(PDF)
    part = input_file(path)
    assert part.filename == "report.pdf"
    assert _decode(part.file_data or "") == ("application/pdf", PDF)

    raw = input_file(PDF)
    assert raw.filename == "file.pdf"
    assert _decode(raw.file_data or "")[0] == "application/pdf"
    assert input_file(PDF, filename="x.pdf").filename == "x.pdf"
    assert input_file(b"a,b\n", filename="t.csv").file_data == data_url(b"a,b\n", "text/csv")


def test_audio_and_video(tmp_path: Path) -> None:
    assert input_audio(WAV).input_audio.format == "wav"
    assert input_audio(MP3).input_audio.format == "mp3"
    assert base64.b64decode(input_audio(MP3).input_audio.data) == MP3
    with pytest.raises(ValueError, match="mp3 or wav"):
        input_audio(PNG)
    with pytest.raises(ValueError):
        input_audio("https://example.com/a.mp3")
    assert input_video("https://example.com/v.mp4").video_url == "https://example.com/v.mp4"
    mp4 = tmp_path / "clip.mp4"
    mp4.write_bytes(b"\x00\x00\x00\x18ftypisom" + b"\x00" * 8)
    assert _decode(input_video(mp4).video_url)[0] == "video/mp4"


def test_messages(tmp_path: Path) -> None:
    assert user("Hi").to_dict() == {"type": "message", "role": "user", "content": "Hi"}
    assert system("Be brief").role == "system"
    assert developer("Rules").role == "developer"
    assert assistant("Earlier answer").role == "assistant"

    image = tmp_path / "cat.png"
    image.write_bytes(PNG)
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(PDF)
    msg = user("What is this?", image, doc, input_text("extra"))
    content = msg.to_dict()["content"]
    assert [part["type"] for part in content] == [
        "input_text",
        "input_image",
        "input_file",
        "input_text",
    ]
    assert content[1]["detail"] == "auto"
    # Iterables of parts are flattened.
    assert message("user", ["a", "b"]).to_dict()["content"] == [
        {"type": "input_text", "text": "a"},
        {"type": "input_text", "text": "b"},
    ]
    with pytest.raises(ValueError):
        user()
    with pytest.raises(TypeError):
        user(42)  # type: ignore[arg-type]


def test_function_call_output() -> None:
    assert function_call_output("c1", "ok").to_dict() == {
        "type": "function_call_output",
        "call_id": "c1",
        "output": "ok",
    }
    item = function_call_output("c2", [input_text("see"), input_image(PNG)])
    assert [p["type"] for p in item.to_dict()["output"]] == ["input_text", "input_image"]


def _history(tmp_path: Path) -> list[Any]:
    image = tmp_path / "cat.png"
    image.write_bytes(PNG)
    return [
        system("You are terse."),
        developer("Answer in English."),
        user("Hello"),
        assistant("Hi! How can I help?"),
        user(
            "Describe these",
            input_image(image, detail="low"),
            input_image("https://example.com/dog.jpg"),
            input_file(PDF),
            input_file("https://example.com/r.pdf"),
            input_audio(WAV),
        ),
    ]


def _check_body(body: dict[str, Any]) -> None:
    sent = body["input"]
    assert [m["role"] for m in sent] == ["system", "developer", "user", "assistant", "user"]
    parts = sent[4]["content"]
    assert [p["type"] for p in parts] == [
        "input_text",
        "input_image",
        "input_image",
        "input_file",
        "input_file",
        "input_audio",
    ]
    assert parts[1]["image_url"].startswith("data:image/png;base64,")
    assert parts[1]["detail"] == "low"
    assert parts[3]["file_data"].startswith("data:application/pdf;base64,")
    assert parts[4] == {"type": "input_file", "file_url": "https://example.com/r.pdf"}


@pytest.mark.parametrize("stream", [False, True])
def test_inputs_pass_the_schema_sync(
    openrouter_emulator: Emulator, tmp_path: Path, stream: bool
) -> None:
    with OpenRouter(api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url) as c:
        if stream:
            with c.responses.send(model="m", input=_history(tmp_path), stream=True) as events:
                assert events.get_final_response().output_text == "Echo: Describe these"
        else:
            res = c.responses.send(model="m", input=_history(tmp_path))
            assert res.output_text == "Echo: Describe these"
    (request,) = openrouter_emulator.requests
    assert request.validation_errors == []
    _check_body(request.json)


@pytest.mark.parametrize("stream", [False, True])
def test_inputs_pass_the_schema_async(
    openrouter_emulator: Emulator, tmp_path: Path, stream: bool
) -> None:
    async def main() -> str:
        async with OpenRouter(
            api_key=openrouter_emulator.api_key, server_url=openrouter_emulator.url
        ) as c:
            if stream:
                events = await c.responses.send_async(
                    model="m", input=_history(tmp_path), stream=True
                )
                async with events:
                    return (await events.get_final_response()).output_text
            res = await c.responses.send_async(model="m", input=_history(tmp_path))
            return res.output_text

    openrouter_emulator.enqueue(Reply.text("A cat."))
    assert asyncio.run(main()) == "A cat."
    (request,) = openrouter_emulator.requests
    assert request.validation_errors == []
    _check_body(request.json)


def test_parts_are_components() -> None:
    assert isinstance(input_image(PNG), components.InputImage)
    assert isinstance(input_file(PDF), components.InputFile)
    assert isinstance(user("x"), components.EasyInputMessage)
