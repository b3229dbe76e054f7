"""The OpenAPI 3.1 document the server serves at ``/openapi.json``."""

from __future__ import annotations

from typing import Any

from llmasos import __version__
from llmasos.apps.api.ask import openapi_schemas as ask_schemas
from llmasos.apps.api.embeddings import INPUT_TYPES, MAX_INPUTS
from llmasos.apps.api.ocr import openapi_schemas as ocr_schemas
from llmasos.apps.api.protocol import MAX_STOP, Limits
from llmasos.services.writing.actions import ACTIONS, TONES


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _sampling(limits: Limits) -> dict[str, Any]:
    return {
        "max_tokens": {
            "type": "integer",
            "minimum": 1,
            "maximum": limits.max_tokens,
            "default": limits.default_max_tokens,
        },
        "max_completion_tokens": {"type": "integer", "minimum": 1, "maximum": limits.max_tokens},
        "temperature": {"type": "number", "minimum": 0, "maximum": 5},
        "top_p": {"type": "number", "minimum": 0, "maximum": 1},
        "top_k": {"type": "integer", "minimum": 0, "maximum": 1000},
        "min_p": {"type": "number", "minimum": 0, "maximum": 1},
        "repeat_penalty": {"type": "number", "minimum": 0.5, "maximum": 2.5},
        "seed": {"type": "integer", "minimum": 0},
        "stop": {
            "oneOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}, "maxItems": MAX_STOP},
            ]
        },
        "n": {"type": "integer", "enum": [1]},
    }


def _streaming() -> dict[str, Any]:
    return {
        "stream": {
            "type": "boolean",
            "default": False,
            "description": "Answer as server-sent events (data: {chunk} … data: [DONE]).",
        },
        "stream_options": {"type": "object", "properties": {"include_usage": {"type": "boolean"}}},
    }


def _schemas(limits: Limits) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "maxLength": limits.max_text_chars}
    message = {
        "type": "object",
        "required": ["role", "content"],
        "properties": {
            "role": {"type": "string", "enum": ["system", "developer", "user", "assistant"]},
            "content": {
                "oneOf": [
                    {"type": "string"},
                    {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "properties": {"type": {"const": "text"}, "text": {"type": "string"}},
                        },
                    },
                ]
            },
        },
    }
    return {
        "Error": {
            "type": "object",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "message": {"type": "string"},
                        "type": {"type": "string"},
                        "param": {"type": ["string", "null"]},
                        "code": {"type": ["string", "null"]},
                    },
                }
            },
        },
        "ChatRequest": {
            "type": "object",
            "required": ["messages"],
            "properties": {
                "model": {"type": "string", "description": "Ignored: the loaded model answers."},
                "messages": {"type": "array", "minItems": 1, "items": message},
                **_sampling(limits),
                **_streaming(),
            },
        },
        "CompletionRequest": {
            "type": "object",
            "required": ["prompt"],
            "properties": {
                "model": {"type": "string"},
                "prompt": text,
                **_sampling(limits),
                **_streaming(),
            },
        },
        "TranslateRequest": {
            "type": "object",
            "required": ["text", "target_language"],
            "properties": {
                "text": text,
                "target_language": {"type": "string", "examples": ["zh-Hans", "French"]},
                "source_language": {"type": "string", "description": "Optional."},
                **_sampling(limits),
            },
        },
        "TranslateResponse": {
            "type": "object",
            "properties": {
                "object": {"const": "translation"},
                "model": {"type": "string"},
                "text": {"type": "string"},
                "target_language": {"type": "string"},
                "source_language": {"type": ["string", "null"]},
                "usage": {"type": "object"},
            },
        },
        "RewriteRequest": {
            "type": "object",
            "required": ["text"],
            "properties": {
                "text": text,
                "action": {
                    "type": "string",
                    "enum": [a.name for a in ACTIONS],
                    "default": "rewrite",
                },
                "tone": {"type": "string", "enum": list(TONES), "default": "formal"},
                "instruction": {"type": "string", "description": "Required for action=custom."},
                **_sampling(limits),
            },
        },
        "RewriteResponse": {
            "type": "object",
            "properties": {
                "object": {"const": "rewrite"},
                "model": {"type": "string"},
                "action": {"type": "string"},
                "tone": {"type": "string"},
                "text": {"type": "string"},
                "changed": {"type": "boolean"},
                "problems": {"type": "array", "items": {"type": "string"}},
                "usage": {"type": "object"},
            },
        },
        **_embedding_schemas(limits),
        **ocr_schemas(),
        **ask_schemas(),
    }


def _embedding_schemas(limits: Limits) -> dict[str, Any]:
    text = {"type": "string", "minLength": 1, "maxLength": limits.max_text_chars}
    return {
        "EmbeddingsRequest": {
            "type": "object",
            "required": ["input"],
            "properties": {
                "input": {
                    "oneOf": [
                        text,
                        {"type": "array", "items": text, "minItems": 1, "maxItems": MAX_INPUTS},
                    ],
                    "description": "Texts longer than the model's context are cut to fit.",
                },
                "model": {"type": "string", "description": "Ignored: the server's model answers."},
                "encoding_format": {"type": "string", "enum": ["float", "base64"]},
                "dimensions": {"type": "integer", "description": "Only the model's own size."},
                "input_type": {
                    "type": "string",
                    "enum": list(INPUT_TYPES),
                    "default": "passage",
                    "description": "LLMasOS: 'query' for search questions (e5, bge, nomic, "
                    "Qwen3-Embedding prefix them).",
                },
            },
        },
        "EmbeddingsResponse": {
            "type": "object",
            "properties": {
                "object": {"const": "list"},
                "data": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {
                            "object": {"const": "embedding"},
                            "index": {"type": "integer"},
                            "embedding": {
                                "oneOf": [
                                    {"type": "array", "items": {"type": "number"}},
                                    {"type": "string", "description": "base64 float32 LE"},
                                ]
                            },
                        },
                    },
                },
                "model": {"type": "string"},
                "usage": {"type": "object"},
            },
        },
    }


def _post(summary: str, request: str, response: dict[str, Any]) -> dict[str, Any]:
    errors = {
        str(code): {"description": why, "content": {"application/json": {"schema": _ref("Error")}}}
        for code, why in (
            (400, "Malformed JSON or a bad parameter"),
            (401, "Missing or wrong API key"),
            (413, "Body too large"),
            (503, "No model loaded, or cancelled on the server"),
        )
    }
    return {
        "post": {
            "summary": summary,
            "requestBody": {
                "required": True,
                "content": {"application/json": {"schema": _ref(request)}},
            },
            "responses": {"200": {"description": "OK", "content": response}, **errors},
        }
    }


def openapi_document(limits: Limits) -> dict[str, Any]:
    """The API described for tools and people."""
    sse = {
        "application/json": {"schema": {"type": "object"}},
        "text/event-stream": {"schema": {"type": "string"}},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "LLMasOS API",
            "version": __version__,
            "description": "OpenAI-compatible endpoints plus LLMasOS's translation and "
            "writing services, served by the app's one loaded model.",
        },
        "components": {
            "schemas": _schemas(limits),
            "securitySchemes": {
                "bearer": {
                    "type": "http",
                    "scheme": "bearer",
                    "description": "Needed when the server was started with an API key.",
                }
            },
        },
        "security": [{}, {"bearer": []}],
        "paths": {
            "/v1/models": {
                "get": {
                    "summary": "The loaded model",
                    "responses": {
                        "200": {
                            "description": "OK",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/v1/chat/completions": _post("Chat completion", "ChatRequest", sse),
            "/v1/completions": _post("Text completion", "CompletionRequest", sse),
            "/v1/translate": _post(
                "Translate text",
                "TranslateRequest",
                {"application/json": {"schema": _ref("TranslateResponse")}},
            ),
            "/v1/rewrite": _post(
                "A writing action on text",
                "RewriteRequest",
                {"application/json": {"schema": _ref("RewriteResponse")}},
            ),
            "/v1/embeddings": _post(
                "Vectors of texts (the server's embedding model, see --embedding-model)",
                "EmbeddingsRequest",
                {"application/json": {"schema": _ref("EmbeddingsResponse")}},
            ),
            "/v1/ocr": _post(
                "The text in an image, offline: Chinese and English lines with boxes "
                "(501: the OCR extra is not installed)",
                "OcrRequest",
                {"application/json": {"schema": _ref("OcrResponse")}},
            ),
            "/v1/ask": _post(
                "Answer a question from document collections, with citations (404: no such "
                "collection)",
                "AskRequest",
                {
                    "application/json": {"schema": _ref("AskResponse")},
                    "text/event-stream": {"schema": {"type": "string"}},
                },
            ),
        },
    }
