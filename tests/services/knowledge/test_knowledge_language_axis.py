"""Vector search ranks without the direction that tells a collection's Chinese chunks from
its English ones (services/knowledge/language_axis.py): with the real m3e-small, a question
in one language finds its answer in the other more often, the same-language ones as
before, and the cosines reported (the relevance rule's) are the plain ones."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path

import numpy as np
import pytest

from helpers.knowledge_docs import write_docs
from llmasos.foundation.engine.llama_embedder import LlamaEmbedder
from llmasos.services.knowledge.indexer import SyncSummary, sync
from llmasos.services.knowledge.language_axis import MIN_SIDE
from llmasos.services.knowledge.search import Searcher
from llmasos.services.knowledge.store import KnowledgeStore

pytestmark = pytest.mark.real_model

ENGLISH = {
    "printer.txt": "The printer on the third floor jams when the paper tray is overfilled. "
    "Load at most 200 sheets.",
    "wifi.txt": "The guest Wi-Fi password changes every Monday and is posted at the reception.",
    "parking.txt": "Parking permits for the underground garage cost 40 euros a month and are "
    "sold by the facilities team.",
    "coffee.txt": "The coffee machine in the kitchen is descaled every Friday afternoon by the "
    "cleaning staff.",
    "fire.txt": "Fire drills take place twice a year. Leave the building by the nearest "
    "stairs, never by the lift.",
    "laptop.txt": "If your laptop is stolen, call the IT security line at extension 4455.",
    "gym.txt": "The company gym in the basement is open from 6 in the morning until 10 at night.",
    "visitors.txt": "Visitors must sign in at reception and wear a badge inside the office.",
    "recycling.txt": "Paper, glass and plastic go into the separate bins next to the lifts.",
    "rooms.txt": "Meeting rooms are booked in the calendar; a booking not used within 15 "
    "minutes is released.",
    "vpn.txt": "Working from home requires the VPN client; it disconnects after eight hours "
    "of inactivity.",
    "bikes.txt": "The bicycle shed behind the building has 60 places and is locked at midnight.",
}
CHINESE = {
    "backup.md": "每天晚上十一点自动备份数据库，备份文件保留三十天。",
    "leave.md": "员工每年享有十五天带薪年假，病假需要医生证明。",
    "canteen.md": "食堂午餐时间为十一点半到一点半，员工每餐补贴二十元。",
    "parcel.md": "快递统一送到一楼收发室，员工凭工牌领取。",
    "aircon.md": "夏季空调温度不得低于二十六度，下班时请关闭空调。",
    "access.md": "门禁卡丢失后要在二十四小时内向行政部报告并补办。",
    "checkup.md": "公司每年十月组织一次免费体检，家属可以自费参加。",
    "shuttle.md": "班车早上七点半从地铁站出发，晚上六点从公司返回。",
    "plants.md": "办公室的绿植由外包公司每周二浇水和修剪。",
    "books.md": "图书角的书每人最多借三本，借期为两周。",
    "probation.md": "新员工试用期为三个月，试用期内工资为正式工资的百分之八十。",
    "rent.md": "员工宿舍每月租金八百元，水电费另计。",
}
ACROSS = [
    ("三楼的打印机为什么会卡纸？", "printer.txt"),
    ("访客Wi-Fi的密码多久换一次？", "wifi.txt"),
    ("地下车库的停车证每月多少钱？", "parking.txt"),
    ("笔记本电脑被偷了应该打哪个分机？", "laptop.txt"),
    ("公司健身房几点开门？", "gym.txt"),
    ("自行车棚有多少个车位？", "bikes.txt"),
    ("VPN多长时间不用会断开？", "vpn.txt"),
    ("会议室预订后多久不用会被释放？", "rooms.txt"),
    ("How long are database backups kept?", "backup.md"),
    ("How many days of paid annual leave do employees get?", "leave.md"),
    ("What is the lunch subsidy in the canteen?", "canteen.md"),
    ("How many books can I borrow from the book corner?", "books.md"),
    ("How long is the probation period for new employees?", "probation.md"),
    ("How much is the monthly rent of the staff dormitory?", "rent.md"),
    ("When does the shuttle bus leave in the morning?", "shuttle.md"),
    ("What should I do if I lose my access card?", "access.md"),
]
SAME = [
    ("How often is the coffee machine descaled?", "coffee.txt"),
    ("Where do visitors sign in?", "visitors.txt"),
    ("快递送到哪里？", "parcel.md"),
    ("夏天空调最低开到几度？", "aircon.md"),
]
K = 3


@pytest.fixture(scope="module")
def embedder(m3e_small_path: Path) -> Iterator[LlamaEmbedder]:
    model = LlamaEmbedder(m3e_small_path, probe=False, n_threads=1)
    yield model
    model.close()


def indexed(tmp_path: Path, docs: Mapping[str, str], embedder: LlamaEmbedder) -> KnowledgeStore:
    store = KnowledgeStore(tmp_path / "k.sqlite3")
    store.add_collection("docs", [write_docs(tmp_path / "docs", docs)])
    last = list(sync(store, "docs", embedder))[-1]
    assert isinstance(last, SyncSummary) and last.chunks == len(docs)
    return store


def found(searcher: Searcher, question: str, name: str, embedder: LlamaEmbedder) -> bool:
    hits = searcher.search(["docs"], question, K, mode="vector", embedder=embedder)
    return name in [Path(p.file).name for p in hits]


def found_by_plain_cosine(
    searcher: Searcher, question: str, name: str, embedder: LlamaEmbedder
) -> bool:
    """The ranking before: every chunk's cosine with the question as it is."""
    ids, matrix = searcher.matrix([searcher.store.collection("docs").id], embedder.model_id)
    q = np.asarray(embedder.embed([question], query=True), dtype=np.float32)[0]
    best = ids[np.argsort(-(matrix @ q), kind="stable")[:K]]
    files = dict(
        searcher.store.read("SELECT c.id, f.path FROM chunks c JOIN files f ON f.id = c.file_id")
    )
    return name in [Path(files[int(c)]).name for c in best]


def test_questions_across_languages_find_their_answers(
    tmp_path: Path, embedder: LlamaEmbedder
) -> None:
    with indexed(tmp_path, ENGLISH | CHINESE, embedder) as store:
        searcher = Searcher(store)
        now = [found(searcher, q, name, embedder) for q, name in ACROSS]
        before = [found_by_plain_cosine(searcher, q, name, embedder) for q, name in ACROSS]
        assert searcher._axis is not None
        # measured: 12 of 16 in the top 3, against 6 by the plain cosine
        assert sum(now) >= sum(before) + 3, (now, before)
        assert all(found(searcher, q, name, embedder) for q, name in SAME)
        # what a passage reports is the plain cosine, as the relevance rule expects
        question, _ = ACROSS[0]
        q = np.asarray(embedder.embed([question], query=True), dtype=np.float32)[0]
        ids, matrix = searcher.matrix([searcher.store.collection("docs").id], embedder.model_id)
        plain = dict(zip(ids.tolist(), (matrix @ q).tolist(), strict=True))
        for p in searcher.search(["docs"], question, K, mode="vector", embedder=embedder):
            assert p.vector == pytest.approx(plain[p.chunk_id], abs=1e-5)


@pytest.mark.parametrize("chinese", [0, MIN_SIDE - 1])
def test_a_collection_mostly_in_one_language_is_ranked_by_the_plain_cosine(
    tmp_path: Path, embedder: LlamaEmbedder, chinese: int
) -> None:
    docs = ENGLISH | dict(list(CHINESE.items())[:chinese])
    with indexed(tmp_path, docs, embedder) as store:
        searcher = Searcher(store)
        for q, name in ACROSS[:8]:
            assert found(searcher, q, name, embedder) == found_by_plain_cosine(
                searcher, q, name, embedder
            )
        assert searcher._axis is None
