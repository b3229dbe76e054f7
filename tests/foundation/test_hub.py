"""The Hub client against a real local HTTP server, through the real huggingface_hub."""

# The fake-Hub fixtures are imported from conftest_hub.py, so pytest's fixture arguments
# shadow those imports by design.

from __future__ import annotations

import time
import types

import pytest
from huggingface_hub import HfApi

from llmasos.errors import LLMasOSError
from llmasos.foundation.hub.client import (
    GgufEntry,
    HubClient,
    RemoteFile,
    group_gguf_files,
    parse_quantization,
    resolve_endpoint,
    safe_file_name,
)
from llmasos.foundation.hub.errors import (
    GatedRepoError,
    HubNotFoundError,
    InsecureEndpointError,
    OfflineError,
    UnsafeFileNameError,
)


@pytest.mark.parametrize(
    ("name", "quant"),
    [
        ("qwen2.5-0.5b-instruct-q4_k_m.gguf", "Q4_K_M"),
        ("Llama-3.2-1B-Instruct-IQ4_XS.gguf", "IQ4_XS"),
        ("SmolLM2-135M-Instruct.Q4_1.gguf", "Q4_1"),
        ("Qwen3-8B-BF16.gguf", "BF16"),
        ("model-f16.gguf", "F16"),
        ("sub/Mistral-7B-Q8_0.gguf", "Q8_0"),
        ("qwen2.5-7b-instruct-q4_k_m-00001-of-00002.gguf", "Q4_K_M"),
        ("phi-Q4_0_4_4.gguf", "Q4_0_4_4"),
        ("plain-model.gguf", None),
    ],
)
def test_parse_quantization(name, quant):
    assert parse_quantization(name) == quant


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://huggingface.co",
        "https://hf-mirror.com/",
        "http://127.0.0.1:8080",
        "http://localhost:1",
        "http://[::1]:9",
    ],
)
def test_endpoint_accepted(endpoint):
    assert resolve_endpoint(endpoint) == endpoint.rstrip("/")


@pytest.mark.parametrize("endpoint", ["http://example.com", "ftp://127.0.0.1", "http://10.0.0.1"])
def test_insecure_endpoint_refused(endpoint):
    with pytest.raises(InsecureEndpointError, match="https"):
        resolve_endpoint(endpoint)


def test_endpoint_from_environment(monkeypatch):
    monkeypatch.setenv("HF_ENDPOINT", "https://hf-mirror.com")
    assert resolve_endpoint() == "https://hf-mirror.com"
    monkeypatch.setenv("HF_ENDPOINT", "http://hub.example")
    with pytest.raises(InsecureEndpointError):
        HubClient()


@pytest.mark.parametrize(
    "path",
    [
        "../evil.gguf",
        "/etc/evil.gguf",
        "a/../../b.gguf",
        "a\\b.gguf",
        "C:x.gguf",
        "a//b.gguf",
        "x\n.gguf",
        "",
    ],
)
def test_unsafe_names_refused(path):
    with pytest.raises(UnsafeFileNameError) as info:
        safe_file_name(path)
    assert isinstance(info.value, ValueError) and isinstance(info.value, LLMasOSError)


def test_safe_name_is_the_base_name():
    assert safe_file_name("Q4_K_M/model-Q4_K_M.gguf") == "model-Q4_K_M.gguf"


def test_grouping_split_models():
    files = [RemoteFile(f"m-Q4_K_M-0000{i}-of-00003.gguf", 10 * i, "a" * 64) for i in (3, 1, 2)]
    files += [
        RemoteFile("m-Q8_0.gguf", 5, None),
        RemoteFile("README.md", 1, None),
        RemoteFile("broken-00001-of-00002.gguf", 1, None),
    ]  # part 2 missing: dropped
    entries = group_gguf_files(files)
    assert [e.name for e in entries] == ["m-Q4_K_M-00001-of-00003.gguf", "m-Q8_0.gguf"]
    split = entries[0]
    assert split.is_split and split.size == 60 and split.quantization == "Q4_K_M"
    assert [p.path[-19:] for p in split.parts] == [f"0000{i}-of-00003.gguf" for i in (1, 2, 3)]


def test_search_sorted_and_limited(fake_hub, small_model):
    fake_hub.add_repo("org/alpha-GGUF", {"a-Q4_K_M.gguf": small_model}, downloads=10, likes=9)
    fake_hub.add_repo("org/beta-GGUF", {"b-Q4_K_M.gguf": small_model}, downloads=50, likes=1)
    fake_hub.add_repo("org/other", {"c.gguf": b"x"}, downloads=99)
    client = HubClient(fake_hub.endpoint)
    assert [r.repo_id for r in client.search("gguf")] == ["org/beta-GGUF", "org/alpha-GGUF"]
    assert client.search("gguf", sort="likes")[0].repo_id == "org/alpha-GGUF"
    assert len(client.search("", limit=1)) == 1
    found = client.search("alpha")[0]
    assert (found.downloads, found.likes, found.gated) == (10, 9, False)


def test_list_gguf_with_sizes_quant_and_sha(fake_hub, small_model):
    repo = fake_hub.add_repo(
        "org/m-GGUF",
        {
            "m-Q4_K_M.gguf": small_model,
            "m-Q8_0.gguf": small_model[:1000],
            "sub/m-F16-00001-of-00002.gguf": b"1" * 10,
            "sub/m-F16-00002-of-00002.gguf": b"2" * 7,
            "README.md": b"hello",
        },
    )
    entries = {e.name: e for e in HubClient(fake_hub.endpoint).list_gguf("org/m-GGUF")}
    assert set(entries) == {"m-Q4_K_M.gguf", "m-Q8_0.gguf", "sub/m-F16-00001-of-00002.gguf"}
    q4 = entries["m-Q4_K_M.gguf"]
    assert q4.size == len(small_model) and q4.quantization == "Q4_K_M"
    assert q4.parts[0].sha256 == repo.files["m-Q4_K_M.gguf"].sha256
    f16 = entries["sub/m-F16-00001-of-00002.gguf"]
    assert f16.is_split and f16.size == 17 and f16.quantization == "F16"
    assert any(r[1] == "/api/models/org/m-GGUF" for r in fake_hub.behaviour.requests)


def test_checksums_from_paths_info_when_info_lacks_them(fake_hub, small_model):
    repo = fake_hub.add_repo("org/n-GGUF", {"n-Q4_0.gguf": small_model}, lfs_in_info=False)
    (entry,) = HubClient(fake_hub.endpoint).list_gguf("org/n-GGUF")
    assert entry.parts[0].sha256 == repo.files["n-Q4_0.gguf"].sha256
    assert any("/paths-info/" in r[1] for r in fake_hub.behaviour.requests)


def test_fake_hub_tree_route_speaks_huggingface_hub(fake_hub, small_model):
    repo = fake_hub.add_repo("org/t-GGUF", {"t-Q4_K_M.gguf": small_model})
    files = list(HfApi(endpoint=fake_hub.endpoint, token=False).list_repo_tree("org/t-GGUF"))
    assert [(f.path, f.size, f.lfs.sha256) for f in files] == [
        ("t-Q4_K_M.gguf", len(small_model), repo.files["t-Q4_K_M.gguf"].sha256)
    ]


def test_resolve_follows_the_hub_to_its_cdn(fake_hub, small_model):
    repo = fake_hub.add_repo("org/r-GGUF", {"r-Q4_K_M.gguf": small_model})
    client = HubClient(fake_hub.endpoint, token="hf_secret")
    resolved = client.resolve("org/r-GGUF", "r-Q4_K_M.gguf")
    sha = repo.files["r-Q4_K_M.gguf"].sha256
    assert resolved.url == f"{fake_hub.cdn_url}/blobs/{sha}"
    assert (resolved.size, resolved.etag, resolved.is_on_hub) == (len(small_model), sha, False)
    assert "authorization" not in {k.lower() for k in client.download_headers(resolved)}


def test_not_found_repo_and_file(fake_hub, small_model):
    fake_hub.add_repo("org/x-GGUF", {"x-Q4_K_M.gguf": small_model})
    client = HubClient(fake_hub.endpoint)
    with pytest.raises(HubNotFoundError, match="does not exist"):
        client.list_gguf("org/missing")
    with pytest.raises(HubNotFoundError, match="no such file"):
        client.resolve("org/x-GGUF", "nope.gguf")
    with pytest.raises(HubNotFoundError, match="owner/name"):
        client.list_gguf("not a repo id")


def test_gated_repo_asks_for_licence_and_token(fake_hub, small_model):
    fake_hub.add_repo("org/g-GGUF", {"g-Q4_K_M.gguf": small_model}, gated=True)
    with pytest.raises(GatedRepoError, match="accept its licence") as info:
        HubClient(fake_hub.endpoint).resolve("org/g-GGUF", "g-Q4_K_M.gguf")
    assert "token" in str(info.value) and isinstance(info.value, PermissionError)
    ok = HubClient(fake_hub.endpoint, token="hf_x").resolve("org/g-GGUF", "g-Q4_K_M.gguf")
    assert ok.size == len(small_model)


def test_unsafe_remote_name_refused(fake_hub, small_model):
    fake_hub.add_repo("org/evil", {"../../evil-Q4_K_M.gguf": small_model})
    with pytest.raises(UnsafeFileNameError, match="malicious"):
        HubClient(fake_hub.endpoint).list_gguf("org/evil")


def test_offline_listing(offline, fake_hub, small_model):
    fake_hub.add_repo("org/o-GGUF", {"o-Q4_K_M.gguf": small_model})
    client = HubClient(offline, timeout=0.5)
    with pytest.raises(OfflineError) as info:
        client.list_gguf("org/o-GGUF")
    assert isinstance(info.value, ConnectionError)
    with pytest.raises(OfflineError):
        client.resolve("org/o-GGUF", "o-Q4_K_M.gguf")


def test_offline_search(offline, monkeypatch):
    # huggingface_hub retries searches with sleeps of 1-8 s; a dead endpoint must not be
    # retried (test_hub_fail_fast.py counts the attempts), but skip any sleep all the same.
    import huggingface_hub.utils._http as hf_http

    fast = types.SimpleNamespace(sleep=lambda s: None, time=time.time)
    monkeypatch.setattr(hf_http, "time", fast)
    with pytest.raises(OfflineError, match="Cannot search"):
        HubClient(offline, timeout=0.3).search("qwen")


def test_entry_size_sums_parts():
    e = GgufEntry("a", None, (RemoteFile("a", 3, None), RemoteFile("b", 4, None)))
    assert e.size == 7 and e.is_split


def test_answer_that_is_not_the_hub_api(fake_hub, monkeypatch):
    import huggingface_hub

    from llmasos.foundation.hub.errors import HubResponseError

    def broken(*args, **kwargs):
        return [].get("x")  # what huggingface_hub hits when a mirror answers a JSON list

    monkeypatch.setattr(huggingface_hub.HfApi, "list_models", broken)
    with pytest.raises(HubResponseError, match="not the Hub's API"):
        HubClient(fake_hub.endpoint).search("qwen")
